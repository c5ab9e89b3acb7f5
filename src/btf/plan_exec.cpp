// SPDX-License-Identifier: Apache-2.0
// Running a layout plan over bytes: into a RenderedValue tree, or straight into
// JSON. The two executors share the decoding helpers and emit the same value.
#include "plan_exec.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "report/json_writer.hpp"
#include "scxsnap/btf_render.hpp"

namespace scxsnap::btf_plan {
namespace {

// Little-endian load of up to 8 bytes.
std::uint64_t load_le(const std::uint8_t* p, std::uint32_t n) {
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < n && i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

// The integer a node holds: its bit window, zero-extended (`raw`) and, for
// signed kinds, sign-extended (`sext`).
struct IntVal {
  std::uint64_t raw;
  std::int64_t sext;
};

IntVal decode_int(const Node& n, const std::uint8_t* p) {
  std::uint32_t width = n.bf_bits ? n.bf_bits : n.size * 8;
  std::uint32_t skip = n.bit_off / 8, shift = n.bit_off % 8;
  std::uint32_t avail = n.size > skip ? n.size - skip : 0;
  std::uint64_t raw = load_le(p + skip, avail) >> shift;
  if (shift != 0 && avail > 8) raw |= std::uint64_t{p[skip + 8]} << (64 - shift);  // a window spanning 9 bytes
  if (width < 64) raw &= (std::uint64_t{1} << width) - 1;
  std::int64_t sext = static_cast<std::int64_t>(raw);
  if (width < 64 && width > 0 && ((raw >> (width - 1)) & 1))
    sext = static_cast<std::int64_t>(raw | ~((std::uint64_t{1} << width) - 1));
  return {raw, sext};
}

const InternedString* enum_variant(const Plan& plan, const Node& n, std::int64_t v) {
  for (std::uint32_t i = 0; i < n.count; ++i) {
    const EnumValue& e = plan.enum_values[n.first + i];
    if (e.value == v) return &e.name;
  }
  return nullptr;
}

std::int64_t enum_value(const Node& n, const IntVal& iv) {
  if (n.is_signed) return iv.sext;
  return static_cast<std::int64_t>(iv.raw);  // unsigned 64-bit with the top bit set → negative
}

std::string cpu_list(const std::uint8_t* p, std::uint32_t nbytes) {
  std::string out;
  std::uint32_t nbits = nbytes * 8;
  for (std::uint32_t i = 0; i < nbits;) {
    if (!((p[i / 8] >> (i % 8)) & 1)) {
      ++i;
      continue;
    }
    std::uint32_t j = i;
    while (j + 1 < nbits && ((p[(j + 1) / 8] >> ((j + 1) % 8)) & 1)) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::to_string(i) : fmt::format("{}-{}", i, j);
    i = j + 1;
  }
  return out;
}

double decode_float(const Node& n, const std::uint8_t* p) {
  if (n.size == 4) {
    std::uint32_t u = static_cast<std::uint32_t>(load_le(p, 4));
    return static_cast<double>(std::bit_cast<float>(u));
  }
  std::uint64_t u = load_le(p, 8);
  return std::bit_cast<double>(u);
}

constexpr const char* kPtrReason = "live host capture: kernel memory behind pointers is not read";

}  // namespace

// ---- tree ----------------------------------------------------------------------------

RenderedValue TreeExec::run(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth) const {
  const Node& n = plan_.nodes[idx];
  if (avail < n.size) return RenderedValue::make_truncated(n.size, avail, partial(idx, p, avail, depth));
  if (depth > kMaxNesting) return RenderedValue::make_unsupported("render depth limit exceeded");
  switch (n.op) {
    case Op::Int: return RenderedValue::make_int(n.bits, decode_int(n, p).sext);
    case Op::Uint: return RenderedValue::make_uint(n.bits, decode_int(n, p).raw);
    case Op::Bool: return RenderedValue::make_bool(decode_int(n, p).raw != 0);
    case Op::Char: return RenderedValue::make_char(static_cast<std::uint8_t>(decode_int(n, p).raw));
    case Op::Float: return RenderedValue::make_float(n.bits, decode_float(n, p));
    case Op::Enum: {
      std::int64_t v = enum_value(n, decode_int(n, p));
      const InternedString* name = enum_variant(plan_, n, v);
      return RenderedValue::make_enum(n.bits, v, name ? std::optional<std::string_view>(name->view()) : std::nullopt,
                                      n.is_signed);
    }
    case Op::Struct: {
      std::vector<RenderedMember> members;
      members.reserve(n.count);
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan_.members[n.first + i];
        members.emplace_back(m.name, run(m.node, p + m.byte_off, avail - m.byte_off, depth + 1));
      }
      return RenderedValue::make_struct(n.has_type_name ? std::optional<std::string_view>(n.type_name.view()) : std::nullopt,
                                        std::move(members));
    }
    case Op::Array: {
      std::uint32_t shown = std::min(n.count, kMaxArrayElements);
      std::vector<RenderedValue> elems;
      elems.reserve(shown);
      for (std::uint32_t i = 0; i < shown; ++i)
        elems.push_back(run(n.first, p + std::size_t{i} * n.elem_size, avail - std::size_t{i} * n.elem_size, depth + 1));
      return RenderedValue::make_array(n.count, std::move(elems));
    }
    case Op::CpuList: return RenderedValue::make_cpu_list(cpu_list(p + n.aux, n.elem_size));
    case Op::Ptr: {
      std::uint64_t a = load_le(p, 8);
      if (a == 0) return RenderedValue::make_ptr(0);
      return RenderedValue::make_ptr(a, std::nullopt, std::string(kPtrReason));
    }
    case Op::Bytes: return RenderedValue::make_bytes(hex_bytes({p, n.size}));
    case Op::Unsupported: return RenderedValue::make_unsupported(plan_.reasons[n.aux]);
  }
  return RenderedValue::make_unsupported("unknown plan op");
}

RenderedValue TreeExec::partial(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth) const {
  const Node& n = plan_.nodes[idx];
  switch (n.op) {
    case Op::Struct: {
      std::vector<RenderedMember> members;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan_.members[n.first + i];
        if (m.byte_off >= avail && plan_.nodes[m.node].size > 0) continue;
        members.emplace_back(m.name, run(m.node, p + std::min<std::size_t>(m.byte_off, avail),
                                         avail - std::min<std::size_t>(m.byte_off, avail), depth + 1));
      }
      return RenderedValue::make_struct(n.has_type_name ? std::optional<std::string_view>(n.type_name.view()) : std::nullopt,
                                        std::move(members));
    }
    case Op::Array: {
      std::vector<RenderedValue> elems;
      std::uint32_t shown = std::min(n.count, kMaxArrayElements);
      for (std::uint32_t i = 0; i < shown && n.elem_size > 0 && std::size_t{i} * n.elem_size < avail; ++i)
        elems.push_back(run(n.first, p + std::size_t{i} * n.elem_size, avail - std::size_t{i} * n.elem_size, depth + 1));
      return RenderedValue::make_array(n.count, std::move(elems));
    }
    default: return RenderedValue::make_bytes(hex_bytes({p, avail}));
  }
}

// ---- JSON ------------------------------------------------------------------------------

void JsonExec::run(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth) {
  const Node& n = plan_.nodes[idx];
  if (avail < n.size) {
    w_.begin_object();
    w_.field_string("kind", "truncated");
    w_.field_u64("needed", n.size);
    w_.field_u64("had", avail);
    w_.key("partial");
    partial(idx, p, avail, depth);
    w_.end_object();
    return;
  }
  w_.begin_object();
  if (depth > kMaxNesting) {
    w_.field_string("kind", "unsupported");
    w_.field_string("reason", "render depth limit exceeded");
    w_.end_object();
    return;
  }
  switch (n.op) {
    case Op::Int:
      w_.field_string("kind", "int");
      w_.field_u64("bits", n.bits);
      w_.field_i64("value", decode_int(n, p).sext);
      break;
    case Op::Uint:
      w_.field_string("kind", "uint");
      w_.field_u64("bits", n.bits);
      w_.field_u64("value", decode_int(n, p).raw);
      break;
    case Op::Bool:
      w_.field_string("kind", "bool");
      w_.field_bool("value", decode_int(n, p).raw != 0);
      break;
    case Op::Char:
      w_.field_string("kind", "char");
      w_.field_u64("value", static_cast<std::uint8_t>(decode_int(n, p).raw));
      break;
    case Op::Float:
      w_.field_string("kind", "float");
      w_.field_u64("bits", n.bits);
      w_.key("value");
      w_.value_f64(decode_float(n, p));
      break;
    case Op::Enum: {
      std::int64_t v = enum_value(n, decode_int(n, p));
      const InternedString* name = enum_variant(plan_, n, v);
      w_.field_string("kind", "enum");
      w_.field_u64("bits", n.bits);
      w_.field_i64("value", v);
      w_.key("variant");
      if (name)
        w_.value_string(name->view());
      else
        w_.value_null();
      w_.field_bool("is_signed", n.is_signed);
      break;
    }
    case Op::Struct:
      w_.field_string("kind", "struct");
      w_.key("type_name");
      if (n.has_type_name)
        w_.value_string(n.type_name.view());
      else
        w_.value_null();
      w_.key("members");
      w_.begin_array();
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan_.members[n.first + i];
        w_.begin_object();
        w_.field_string("name", m.name.view());
        w_.key("value");
        run(m.node, p + m.byte_off, avail - m.byte_off, depth + 1);
        w_.end_object();
      }
      w_.end_array();
      break;
    case Op::Array: {
      w_.field_string("kind", "array");
      w_.field_u64("len", n.count);
      w_.key("elements");
      w_.begin_array();
      std::uint32_t shown = std::min(n.count, kMaxArrayElements);
      for (std::uint32_t i = 0; i < shown; ++i)
        run(n.first, p + std::size_t{i} * n.elem_size, avail - std::size_t{i} * n.elem_size, depth + 1);
      w_.end_array();
      break;
    }
    case Op::CpuList:
      w_.field_string("kind", "cpu_list");
      w_.field_string("cpus", cpu_list(p + n.aux, n.elem_size));
      break;
    case Op::Ptr: {
      std::uint64_t a = load_le(p, 8);
      w_.field_string("kind", "ptr");
      w_.field_u64("value", a);
      if (a != 0) w_.field_string("deref_skipped_reason", kPtrReason);
      break;
    }
    case Op::Bytes:
      w_.field_string("kind", "bytes");
      w_.field_string("hex", hex_bytes({p, n.size}));
      break;
    case Op::Unsupported:
      w_.field_string("kind", "unsupported");
      w_.field_string("reason", plan_.reasons[n.aux]);
      break;
  }
  w_.end_object();
}

void JsonExec::partial(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth) {
  const Node& n = plan_.nodes[idx];
  if (n.op == Op::Struct) {
    w_.begin_object();
    w_.field_string("kind", "struct");
    w_.key("type_name");
    if (n.has_type_name)
      w_.value_string(n.type_name.view());
    else
      w_.value_null();
    w_.key("members");
    w_.begin_array();
    for (std::uint32_t i = 0; i < n.count; ++i) {
      const Member& m = plan_.members[n.first + i];
      if (m.byte_off >= avail && plan_.nodes[m.node].size > 0) continue;
      w_.begin_object();
      w_.field_string("name", m.name.view());
      w_.key("value");
      run(m.node, p + std::min<std::size_t>(m.byte_off, avail), avail - std::min<std::size_t>(m.byte_off, avail),
          depth + 1);
      w_.end_object();
    }
    w_.end_array();
    w_.end_object();
    return;
  }
  if (n.op == Op::Array) {
    w_.begin_object();
    w_.field_string("kind", "array");
    w_.field_u64("len", n.count);
    w_.key("elements");
    w_.begin_array();
    std::uint32_t shown = std::min(n.count, kMaxArrayElements);
    for (std::uint32_t i = 0; i < shown && n.elem_size > 0 && std::size_t{i} * n.elem_size < avail; ++i)
      run(n.first, p + std::size_t{i} * n.elem_size, avail - std::size_t{i} * n.elem_size, depth + 1);
    w_.end_array();
    w_.end_object();
    return;
  }
  w_.begin_object();
  w_.field_string("kind", "bytes");
  w_.field_string("hex", hex_bytes({p, avail}));
  w_.end_object();
}

}  // namespace scxsnap::btf_plan
