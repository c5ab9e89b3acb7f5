// SPDX-License-Identifier: Apache-2.0
// BTF → layout plan. Every id is range-checked, chains and nesting are
// bounded, and sizes are checked for overflow: malformed BTF is an error or an
// `unsupported` node, never a hang.
#include "layout_plan.hpp"

#include "report/json/json_writer.hpp"
#include "report/rendered_fields.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <fmt/format.h>
#include <limits>

namespace scxsnap::btf_plan {
namespace {

Error bad_btf(const std::string& msg) {
  return Error(ErrorCode::BadInput, "malformed BTF: " + msg);
}

std::string_view name_of(const struct btf* btf, std::uint32_t off) {
  const char* s = btf__name_by_offset(btf, off);
  return s ? std::string_view(s) : std::string_view();
}

// ktstr's three CPU-mask types, and scx's `scx_cpumask` (an extension).
bool is_cpumask_name(std::string_view n) {
  return n == "cpumask" || n == "bpf_cpumask" || n == "scx_bitmap" || n == "scx_cpumask";
}

// The member of a CPU-mask struct that holds the bitmap words: the kernel's
// `cpumask` (inside bpf_cpumask), scx's `bits` (scx_bitmap and scx_cpumask,
// after the allocator id) and `mask` (the byte-array scx_cpumask).
bool is_bitmap_member(std::string_view n) {
  return n == "cpumask" || n == "bits" || n == "mask";
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

// Upper bound of a node's compact JSON (see Node::cost).
std::uint64_t node_cost(const Plan& plan, const Node& n) {
  const std::uint64_t head = n.json_head.size(), tail = n.json_tail.size();
  switch (n.op) {
    case Op::Int:
    case Op::Uint:
    case Op::Ptr:
      return head + 20 + (n.op == Op::Ptr ? 100 : tail);
    case Op::Bool:
      return head + 5 + tail;
    case Op::Char:
      return head + 3 + tail;
    case Op::Float:
      return head + 25 + tail;
    case Op::Enum: {
      std::uint64_t longest = tail;
      for (std::uint32_t i = 0; i < n.count; ++i)
        longest = std::max<std::uint64_t>(longest, plan.enum_values[n.first + i].json_tail.size());
      return head + 20 + longest;
    }
    case Op::Struct: {
      std::uint64_t c = head + tail;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan.members[n.first + i];
        c = sat_add(c, sat_add(m.json_prefix.size() + 2, plan.nodes[m.node].cost));
      }
      return c;
    }
    case Op::Array: {
      std::uint64_t shown = std::min(n.count, plan.max_array_elements);
      return sat_add(head + tail, sat_mul(shown, sat_add(plan.nodes[n.first].cost, 1)));
    }
    case Op::CpuList:  // "a-b," per run at worst: a run per set bit, 16 bytes each
      return sat_add(head + tail, sat_mul(std::uint64_t{n.elem_size} * 8, 16));
    case Op::Bytes:
      return sat_add(head + tail, sat_mul(n.size, 3));
    case Op::Unsupported:
      return head;
  }
  return head + tail;
}

}  // namespace

std::uint32_t Compiler::add(Node n) {
  plan_.nodes.push_back(std::move(n));
  return static_cast<std::uint32_t>(plan_.nodes.size() - 1);
}

std::uint32_t Compiler::unsupported(std::string reason) {
  Node n;
  n.op = Op::Unsupported;
  n.aux = static_cast<std::uint32_t>(plan_.reasons.size());
  plan_.reasons.push_back(std::move(reason));
  return add(n);
}

Result<std::uint32_t> Compiler::compile(std::uint32_t type_id) {
  if (auto it = memo_.find(type_id); it != memo_.end()) return it->second;
  std::size_t n0 = plan_.nodes.size(), m0 = plan_.members.size(), e0 = plan_.enum_values.size();
  auto r = compile_at(type_id, 0);
  precompute_json(plan_, n0, m0, e0);
  if (r) memo_.emplace(type_id, *r);
  return r;
}

void precompute_json(Plan& plan, std::size_t from_node, std::size_t from_member,
                     std::size_t from_enum) {
  auto quoted = [](std::string_view s) {
    std::string q = "\"";
    detail::append_escaped(q, s);
    q += '"';
    return q;
  };
  for (std::size_t i = from_member; i < plan.members.size(); ++i)
    plan.members[i].json_prefix = detail::rv_json_member_head(plan.members[i].name.view());
  using detail::rv_json_head;
  using detail::rv_json_key;
  using detail::RvSlot;
  for (std::size_t i = from_node; i < plan.nodes.size(); ++i) {
    Node& n = plan.nodes[i];
    const std::string bits = fmt::to_string(n.bits);
    switch (n.op) {
      case Op::Int:
        n.json_head = rv_json_head(ValueKind::Int, {bits});
        n.json_tail = "}";
        break;
      case Op::Uint:
        n.json_head = rv_json_head(ValueKind::Uint, {bits});
        n.json_tail = "}";
        break;
      case Op::Bool:
        n.json_head = rv_json_head(ValueKind::Bool, {});
        n.json_tail = "}";
        break;
      case Op::Char:
        n.json_head = rv_json_head(ValueKind::Char, {});
        n.json_tail = "}";
        break;
      case Op::Float:
        n.json_head = rv_json_head(ValueKind::Float, {bits});
        n.json_tail = "}";
        break;
      case Op::Enum: {
        // head up to the value; the tail from "variant" on, per enumerator
        n.json_head = rv_json_head(ValueKind::Enum, {bits});
        auto tail = [&](std::string_view variant) {
          return rv_json_key(ValueKind::Enum, RvSlot::Variant) + std::string(variant) +
                 rv_json_key(ValueKind::Enum, RvSlot::IsSigned) + fmt::to_string(n.is_signed) + "}";
        };
        n.json_tail = tail("null");
        for (std::uint32_t k = 0; k < n.count; ++k) {
          EnumValue& e = plan.enum_values[n.first + k];
          if (n.first + k >= from_enum || e.json_tail.empty())
            e.json_tail = tail(quoted(e.name.view()));
        }
        break;
      }
      case Op::Struct:
        n.json_head = rv_json_head(ValueKind::Struct,
                                   {n.has_type_name ? quoted(n.type_name.view()) : "null"}) +
                      "[";
        n.json_tail = "]}";
        break;
      case Op::Array:
        n.json_head = rv_json_head(ValueKind::Array, {fmt::to_string(n.count)}) + "[";
        n.json_tail = "]}";
        break;
      case Op::CpuList:
        n.json_head = rv_json_head(ValueKind::CpuList, {}) + "\"";
        n.json_tail = "\"}";
        break;
      case Op::Ptr:
        n.json_head = rv_json_head(ValueKind::Ptr, {});
        n.json_tail = "}";
        break;
      case Op::Bytes:
        n.json_head = rv_json_head(ValueKind::Bytes, {}) + "\"";
        n.json_tail = "\"}";
        break;
      case Op::Unsupported:
        n.json_head = detail::rv_json_text(ValueKind::Unsupported, plan.reasons[n.aux]);
        break;
    }
    n.cost = node_cost(plan, n);
  }
}

// Follow typedefs, qualifiers, type and decl tags, and VARs to the type that has a layout.
Result<std::uint32_t> Compiler::peel(std::uint32_t id) {
  for (int i = 0; i <= kMaxPeel; ++i) {
    if (id >= btf__type_cnt(btf_))
      return bad_btf(
          fmt::format("type id {} out of range (type count {})", id, btf__type_cnt(btf_)));
    const struct btf_type* t = btf__type_by_id(btf_, id);
    if (!t) return bad_btf(fmt::format("type id {} has no type", id));
    switch (btf_kind(t)) {
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_DECL_TAG:
      case BTF_KIND_VAR:
        id = t->type;
        break;
      default:
        return id;
    }
  }
  return bad_btf(
      fmt::format("typedef/qualifier chain longer than {} at type id {} (a loop?)", kMaxPeel, id));
}

Result<std::uint32_t> Compiler::compile_at(std::uint32_t type_id, int depth) {
  SCXSNAP_TRY(std::uint32_t id, peel(type_id));
  if (auto it = memo_.find(id); it != memo_.end()) return it->second;
  if (depth > kMaxNesting)
    return unsupported(fmt::format("type nesting deeper than {} levels", kMaxNesting));
  if (std::find(in_progress_.begin(), in_progress_.end(), id) != in_progress_.end())
    return bad_btf(fmt::format("type id {} contains itself", id));
  in_progress_.push_back(id);
  struct Pop {
    std::vector<std::uint32_t>& v;
    ~Pop() { v.pop_back(); }
  } pop{in_progress_};
  SCXSNAP_TRY(std::uint32_t result, compile_kind(id, btf__type_by_id(btf_, id), depth));
  memo_.emplace(id, result);
  return result;
}

Result<std::uint32_t> Compiler::compile_kind(std::uint32_t id, const struct btf_type* t,
                                             int depth) {
  switch (btf_kind(t)) {
    case BTF_KIND_INT:
      return compile_int(id, t);
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      return compile_enum(id, t);
    case BTF_KIND_FLOAT:
      return compile_float(t);
    case BTF_KIND_PTR:
      return compile_ptr(t);
    case BTF_KIND_ARRAY:
      return compile_array(id, t, depth);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_DATASEC:
      return compile_struct(t, depth);
    case BTF_KIND_FWD:
      return unsupported(
          fmt::format("forward declaration of {} (no layout in BTF)", name_of(btf_, t->name_off)));
    case BTF_KIND_FUNC:
    case BTF_KIND_FUNC_PROTO:
      return unsupported("function type has no value layout");
    default:
      return unsupported(fmt::format("BTF kind {} not supported", btf_kind(t)));
  }
}

Result<std::uint32_t> Compiler::compile_int(std::uint32_t id, const struct btf_type* t) {
  const std::uint32_t enc = btf_int_encoding(t), bits = btf_int_bits(t), off = btf_int_offset(t);
  if (t->size == 0 || t->size > 16 || bits == 0 || bits + off > t->size * 8u)
    return bad_btf(
        fmt::format("int type id {} has size {} bits {} offset {}", id, t->size, bits, off));
  Node n;
  n.size = t->size;
  const std::string_view nm = name_of(btf_, t->name_off);
  if (t->size > 8) {
    n.op = Op::Bytes;  // 128-bit ints: no exact scalar kind
  } else if (enc & BTF_INT_BOOL) {
    n.op = Op::Bool;
  } else if ((enc & BTF_INT_CHAR) || (bits == 8 && nm == "char")) {
    n.op = Op::Char;
  } else {
    n.op = (enc & BTF_INT_SIGNED) ? Op::Int : Op::Uint;
    n.is_signed = enc & BTF_INT_SIGNED;
  }
  n.bits = bits;
  if (off != 0 || bits != t->size * 8u) {
    n.bit_off = off;
    n.bf_bits = bits;
  }
  return add(n);
}

Result<std::uint32_t> Compiler::compile_enum(std::uint32_t id, const struct btf_type* t) {
  if (t->size == 0 || t->size > 8)
    return bad_btf(fmt::format("enum type id {} has size {}", id, t->size));
  Node n;
  n.op = Op::Enum;
  n.size = t->size;
  n.bits = t->size * 8;
  n.is_signed = btf_kflag(t);
  n.first = static_cast<std::uint32_t>(plan_.enum_values.size());
  n.count = btf_vlen(t);
  for (std::uint32_t i = 0; i < n.count; ++i) {
    std::int64_t v;
    std::uint32_t name_off;
    if (btf_kind(t) == BTF_KIND_ENUM) {
      const struct btf_enum* e = btf_enum(t) + i;
      v = n.is_signed ? static_cast<std::int64_t>(e->val)
                      : static_cast<std::int64_t>(static_cast<std::uint32_t>(e->val));
      name_off = e->name_off;
    } else {
      const struct btf_enum64* e = btf_enum64(t) + i;
      v = static_cast<std::int64_t>(btf_enum64_value(e));
      name_off = e->name_off;
    }
    plan_.enum_values.push_back(EnumValue{v, SharedName(name_of(btf_, name_off)), {}});
  }
  return add(n);
}

std::uint32_t Compiler::compile_float(const struct btf_type* t) {
  Node n;
  n.size = t->size;
  if (t->size == 4 || t->size == 8) {
    n.op = Op::Float;
    n.bits = t->size * 8;
  } else {
    n.op = Op::Bytes;
  }
  return add(n);
}

std::uint32_t Compiler::compile_ptr(const struct btf_type* t) {
  Node n;
  n.op = Op::Ptr;
  n.size = 8;
  n.first = t->type;
  return add(n);
}

Result<std::uint32_t> Compiler::compile_array(std::uint32_t id, const struct btf_type* t,
                                              int depth) {
  const struct btf_array* a = btf_array(t);
  SCXSNAP_TRY(std::uint32_t elem, compile_at(a->type, depth + 1));
  std::uint32_t esize = plan_.nodes[elem].size;
  if (plan_.nodes[elem].op == Op::Unsupported) {
    // An element with no layout: size it from BTF so offsets stay right.
    __s64 s = btf__resolve_size(btf_, a->type);
    esize = s > 0 ? static_cast<std::uint32_t>(s) : 0;
  }
  const std::uint64_t total = std::uint64_t{esize} * a->nelems;
  if (total > std::numeric_limits<std::uint32_t>::max())
    return bad_btf(
        fmt::format("array type id {} of {} x {} bytes overflows", id, a->nelems, esize));
  Node n;
  n.op = Op::Array;
  n.first = elem;
  n.count = a->nelems;
  n.elem_size = esize;
  n.size = static_cast<std::uint32_t>(total);
  return add(n);
}

// scx's CPU masks: bitmap bytes, the bitmap member when there is one, else
// the whole struct.
std::uint32_t Compiler::compile_cpumask(const struct btf_type* t, Node n) {
  n.op = Op::CpuList;
  n.aux = 0;
  n.elem_size = t->size;
  const struct btf_member* m = btf_members(t);
  for (std::uint32_t i = 0; i < btf_vlen(t); ++i) {
    if (!is_bitmap_member(name_of(btf_, m[i].name_off))) continue;
    __s64 s = btf__resolve_size(btf_, m[i].type);
    std::uint32_t off = btf_member_bit_offset(t, i) / 8;
    if (s > 0 && off + static_cast<std::uint64_t>(s) <= t->size) {
      n.aux = off;
      n.elem_size = static_cast<std::uint32_t>(s);
    }
  }
  return add(n);
}

Result<Member> Compiler::compile_member(const struct btf_type* t, std::uint32_t i, int depth) {
  const std::string_view nm = name_of(btf_, t->name_off);
  Member mem;
  std::uint32_t member_type, bf_size = 0;
  std::uint64_t bit_offset = 0;  // 64-bit: DATASEC offsets reach past 512 MiB
  if (btf_kind(t) == BTF_KIND_DATASEC) {
    const struct btf_var_secinfo* vs = btf_var_secinfos(t) + i;
    const struct btf_type* var = btf__type_by_id(btf_, vs->type);
    if (!var) return bad_btf(fmt::format("datasec {} names type id {} out of range", nm, vs->type));
    mem.name = SharedName(name_of(btf_, var->name_off));
    member_type = vs->type;
    bit_offset = std::uint64_t{vs->offset} * 8;
    if (std::uint64_t{vs->offset} + vs->size > t->size)
      return bad_btf(fmt::format("datasec {} variable at {}+{} beyond its size {}", nm, vs->offset,
                                 vs->size, t->size));
  } else {
    const struct btf_member* m = btf_members(t) + i;
    mem.name = SharedName(name_of(btf_, m->name_off));
    member_type = m->type;
    bit_offset = btf_member_bit_offset(t, i);
    bf_size = btf_member_bitfield_size(t, i);
  }
  SCXSNAP_TRY(std::uint32_t child, compile_at(member_type, depth + 1));
  mem.byte_off = static_cast<std::uint32_t>(bit_offset / 8);
  if (bf_size != 0 || bit_offset % 8 != 0) {
    // A bitfield gets its own node: same kind, its own bit window.
    Node bf = plan_.nodes[child];
    if (bf.op != Op::Int && bf.op != Op::Uint && bf.op != Op::Enum && bf.op != Op::Bool &&
        bf.op != Op::Char)
      return bad_btf(
          fmt::format("bitfield member {} of {} is not an integer", mem.name.view(), nm));
    bf.bit_off = static_cast<std::uint32_t>(bit_offset % 8);
    bf.bf_bits = bf_size != 0 ? bf_size : bf.bits;
    if (bf.op == Op::Int || bf.op == Op::Uint || bf.op == Op::Enum) bf.bits = bf.bf_bits;
    bf.size = (bf.bit_off + bf.bf_bits + 7) / 8;
    if (bf.bf_bits > 64)
      return bad_btf(fmt::format("bitfield {} wider than 64 bits", mem.name.view()));
    child = add(bf);
  }
  if (std::uint64_t{mem.byte_off} + plan_.nodes[child].size > t->size)
    return bad_btf(fmt::format("member {} of {} (bit offset {}) extends past its size {}",
                               mem.name.view(), nm.empty() ? "<anon>" : nm, bit_offset, t->size));
  mem.node = child;
  return mem;
}

Result<std::uint32_t> Compiler::compile_struct(const struct btf_type* t, int depth) {
  const std::string_view nm = name_of(btf_, t->name_off);
  Node n;
  n.size = t->size;
  n.has_type_name = !nm.empty();
  n.type_name = SharedName(nm);
  if (btf_kind(t) != BTF_KIND_DATASEC && is_cpumask_name(nm)) return compile_cpumask(t, n);
  n.op = Op::Struct;
  std::vector<Member> members;
  const std::uint32_t vlen = btf_vlen(t);
  members.reserve(vlen);
  for (std::uint32_t i = 0; i < vlen; ++i) {
    SCXSNAP_TRY(Member mem, compile_member(t, i, depth));
    members.push_back(std::move(mem));
  }
  n.first = static_cast<std::uint32_t>(plan_.members.size());
  n.count = static_cast<std::uint32_t>(members.size());
  plan_.members.insert(plan_.members.end(), std::make_move_iterator(members.begin()),
                       std::make_move_iterator(members.end()));
  return add(n);
}

}  // namespace scxsnap::btf_plan
