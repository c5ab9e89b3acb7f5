// SPDX-License-Identifier: Apache-2.0
// Running a layout plan over bytes: into a RenderedValue tree, or straight into
// JSON. The two executors share the decoding helpers and emit the same value.
#include "plan_exec.hpp"

#include "raw_bytes.hpp"
#include "render_budget.hpp"
#include "report/json/json_writer.hpp"
#include "report/rendered_fields.hpp"
#include "report/report_writer.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

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
  if (shift != 0 && avail > 8)
    raw |= std::uint64_t{p[skip + 8]} << (64 - shift);  // a window spanning 9 bytes
  if (width < 64) raw &= (std::uint64_t{1} << width) - 1;
  std::int64_t sext = static_cast<std::int64_t>(raw);
  if (width < 64 && width > 0 && ((raw >> (width - 1)) & 1))
    sext = static_cast<std::int64_t>(raw | ~((std::uint64_t{1} << width) - 1));
  return {raw, sext};
}

const SharedName* enum_variant(const Plan& plan, const Node& n, std::int64_t v) {
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
  for_each_cpu_run(p, nbytes, [&](std::uint32_t i, std::uint32_t j) {
    if (!out.empty()) out += ',';
    out += j == i ? fmt::to_string(i) : fmt::format("{}-{}", i, j);
  });
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
constexpr const char* kDepthReason = "render depth limit exceeded";

}  // namespace

constexpr std::uint64_t kNoBudget = UINT64_MAX;
constexpr std::uint64_t kNoBudgetFloor = std::uint64_t{64} << 20;
constexpr std::uint32_t kPollEvery = 64;  // elements or members between stop checks

std::uint64_t ExecBase::begin_root(std::uint32_t root, const std::uint8_t* p, std::size_t avail) {
  const Node& n = plan_.nodes[root];
  // Without a budget, still no more than 1 KiB of JSON per byte of the value
  // (far above what any real type renders to) or 64 MiB: zero-sized
  // elements nested in arrays cannot make a render run away.
  std::uint64_t budget = limits_ && limits_->max_value_bytes
                             ? limits_->max_value_bytes
                             : std::max<std::uint64_t>(std::uint64_t{1024} * avail, kNoBudgetFloor);
  status_ = RenderStatus{};
  status_.needed = n.size;
  status_.had = std::min<std::uint64_t>(avail, n.size);
  if (n.cost > budget && !(avail >= n.size && fits(plan_, root, p, avail, budget))) {
    status_.over_budget = true;
    if (avail >= n.size) status_.had = covered_bytes(plan_, root, p, avail, budget);
  }
  return budget;
}

// ---- the shared walks -----------------------------------------------------------------

template <class Fn>
void ExecBase::each_member(const Node& n, const std::uint8_t* p, Fn&& fn) {
  for (std::uint32_t i = 0; i < n.count; ++i) {
    if (i % kPollEvery == kPollEvery - 1 && poll()) break;
    const Member& m = plan_.members[n.first + i];
    fn(i, m, p + m.byte_off);
  }
}

template <class Fn>
void ExecBase::each_element(const Node& n, const std::uint8_t* p, Fn&& fn) {
  std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
  for (std::uint32_t i = 0; i < shown; ++i) {
    if (i % kPollEvery == kPollEvery - 1 && poll()) break;
    fn(i, p + std::size_t{i} * n.elem_size);
  }
}

// Over budget or short of bytes: the members that fit, each with its share.
// `fn` gets the shown member's position among those shown.
template <class Fn>
void ExecBase::each_cut_member(const Node& n, const std::uint8_t* p, std::size_t avail,
                               std::uint64_t budget, Fn&& fn) {
  const bool short_bytes = avail < n.size;
  std::vector<std::uint64_t> give;
  allot_members(plan_, n, p, avail, budget, give);
  std::uint32_t shown = 0;
  for (std::uint32_t i = 0; i < n.count; ++i) {
    const Member& m = plan_.members[n.first + i];
    if (short_bytes && m.byte_off >= avail && plan_.nodes[m.node].size > 0) continue;
    if (i % kPollEvery == kPollEvery - 1 && poll()) break;
    std::size_t off = std::min<std::size_t>(m.byte_off, avail);
    fn(shown++, m, p + off, avail - off, give[i]);
  }
}

// Over budget or short of bytes: the whole elements that fit, then the one
// that gets what is left.
template <class Fn>
void ExecBase::each_cut_element(const Node& n, const std::uint8_t* p, std::size_t avail,
                                std::uint64_t budget, Fn&& fn) {
  const bool short_bytes = avail < n.size;
  ArrayAllot a = allot_array(plan_, n, p, avail, budget);
  std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
  for (std::uint32_t i = 0; i < shown; ++i) {
    std::size_t off = std::size_t{i} * n.elem_size;
    if (short_bytes && (n.elem_size == 0 || off >= avail)) break;
    if (i > a.whole || (i == a.whole && a.last_budget == 0)) break;
    if (i % kPollEvery == kPollEvery - 1 && poll()) break;
    fn(i, p + off, avail - off, i < a.whole ? kNoBudget : a.last_budget);
  }
}

// ---- tree ----------------------------------------------------------------------------

RenderedValue TreeExec::root(std::uint32_t idx, const std::uint8_t* p, std::size_t avail) {
  std::uint64_t budget = begin_root(idx, p, avail);
  const Node& n = plan_.nodes[idx];
  if (status_.over_budget && avail >= n.size)
    return RenderedValue::make_truncated(n.size, status_.had, cut(idx, p, avail, 0, budget));
  return value(idx, p, avail, 0, budget);
}

RenderedValue TreeExec::value(std::uint32_t idx, const std::uint8_t* p, std::size_t avail,
                              int depth, std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  if (avail < n.size)
    return RenderedValue::make_truncated(n.size, avail, cut(idx, p, avail, depth, budget));
  if (depth > kMaxNesting) return RenderedValue::make_unsupported(kDepthReason);
  if (n.cost <= budget || fits(plan_, idx, p, avail, budget)) return full(idx, p, depth);
  return cut(idx, p, avail, depth, budget);
}

RenderedValue TreeExec::full(std::uint32_t idx, const std::uint8_t* p, int depth) {
  const Node& n = plan_.nodes[idx];
  if (depth > kMaxNesting) return RenderedValue::make_unsupported(kDepthReason);
  switch (n.op) {
    case Op::Int:
      return RenderedValue::make_int(n.bits, decode_int(n, p).sext);
    case Op::Uint:
      return RenderedValue::make_uint(n.bits, decode_int(n, p).raw);
    case Op::Bool:
      return RenderedValue::make_bool(decode_int(n, p).raw != 0);
    case Op::Char:
      return RenderedValue::make_char(static_cast<std::uint8_t>(decode_int(n, p).raw));
    case Op::Float:
      return RenderedValue::make_float(n.bits, decode_float(n, p));
    case Op::Enum:
      return full_enum(n, p);
    case Op::Struct:
      return full_struct(n, p, depth);
    case Op::Array:
      return full_array(n, p, depth);
    case Op::CpuList:
      return RenderedValue::make_cpu_list(cpu_list(p + n.aux, n.elem_size));
    case Op::Ptr:
      return full_ptr(n, p);
    case Op::Bytes:
      return RenderedValue::make_bytes(hex_bytes({p, n.size}));
    case Op::Unsupported:
      return RenderedValue::make_unsupported(plan_.reasons[n.aux]);
  }
  return RenderedValue::make_unsupported("unknown plan op");
}

RenderedValue TreeExec::full_enum(const Node& n, const std::uint8_t* p) {
  std::int64_t v = enum_value(n, decode_int(n, p));
  const SharedName* name = enum_variant(plan_, n, v);
  if (name) return RenderedValue::make_enum(n.bits, v, *name, n.is_signed);
  return RenderedValue::make_enum(n.bits, v, std::nullopt, n.is_signed);
}

RenderedValue TreeExec::make_struct(const Node& n, std::vector<RenderedMember> members) const {
  if (n.has_type_name) return RenderedValue::make_struct(n.type_name, std::move(members));
  return RenderedValue::make_struct(std::nullopt, std::move(members));
}

RenderedValue TreeExec::full_struct(const Node& n, const std::uint8_t* p, int depth) {
  std::vector<RenderedMember> members;
  members.reserve(n.count);
  each_member(n, p, [&](std::uint32_t, const Member& m, const std::uint8_t* mp) {
    members.emplace_back(m.name, full(m.node, mp, depth + 1));
  });
  return make_struct(n, std::move(members));
}

RenderedValue TreeExec::full_array(const Node& n, const std::uint8_t* p, int depth) {
  std::vector<RenderedValue> elems;
  elems.reserve(std::min(n.count, plan_.max_array_elements));
  each_element(n, p, [&](std::uint32_t, const std::uint8_t* ep) {
    elems.push_back(full(n.first, ep, depth + 1));
  });
  return RenderedValue::make_array(n.count, std::move(elems));
}

RenderedValue TreeExec::full_ptr(const Node& n, const std::uint8_t* p) {
  std::uint64_t a = load_le(p, 8);
  if (a == 0) return RenderedValue::make_ptr(0);
  if (auto followed = follow(n.first, a)) return std::move(*followed);
  return RenderedValue::make_ptr(a, std::nullopt, std::string(kPtrReason));
}

// Over budget, or fewer bytes than the type (`avail` < size): what fits.
RenderedValue TreeExec::cut(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth,
                            std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  const bool short_bytes = avail < n.size;
  switch (n.op) {
    case Op::Struct:
      return cut_struct(n, p, avail, depth, budget);
    case Op::Array:
      return cut_array(n, p, avail, depth, budget);
    case Op::Bytes:
      if (!short_bytes) return RenderedValue::make_bytes(hex_bytes({p, bytes_shown(n, budget)}));
      [[fallthrough]];
    default:
      if (short_bytes) return RenderedValue::make_bytes(hex_bytes({p, avail}));
      return full(idx, p, depth);
  }
}

RenderedValue TreeExec::cut_struct(const Node& n, const std::uint8_t* p, std::size_t avail,
                                   int depth, std::uint64_t budget) {
  std::vector<RenderedMember> members;
  each_cut_member(n, p, avail, budget,
                  [&](std::uint32_t, const Member& m, const std::uint8_t* mp, std::size_t mavail,
                      std::uint64_t give) {
                    members.emplace_back(m.name, value(m.node, mp, mavail, depth + 1, give));
                  });
  return make_struct(n, std::move(members));
}

RenderedValue TreeExec::cut_array(const Node& n, const std::uint8_t* p, std::size_t avail,
                                  int depth, std::uint64_t budget) {
  std::vector<RenderedValue> elems;
  each_cut_element(
      n, p, avail, budget,
      [&](std::uint32_t, const std::uint8_t* ep, std::size_t eavail, std::uint64_t give) {
        elems.push_back(value(n.first, ep, eavail, depth + 1, give));
      });
  return RenderedValue::make_array(n.count, std::move(elems));
}

// ---- JSON ------------------------------------------------------------------------------
// Compact JSON from the plan's precomputed fragments; byte-identical to
// to_json() of the tree (checked by the tests).

namespace {
void append_u64(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void append_i64(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// The fixed fragments, from RenderedValue's table.
struct Fragments {
  std::string truncated_head = detail::rv_json_head(ValueKind::Truncated, {});
  std::string had_key = detail::rv_json_key(ValueKind::Truncated, detail::RvSlot::Had);
  std::string partial_key = detail::rv_json_key(ValueKind::Truncated, detail::RvSlot::Partial);
  std::string ptr_tail =
      detail::rv_json_key(ValueKind::Ptr, detail::RvSlot::SkipReason) + '"' + kPtrReason + "\"}";
  std::string depth_limit = detail::rv_json_text(ValueKind::Unsupported, kDepthReason);
  std::string bytes_head = detail::rv_json_head(ValueKind::Bytes, {}) + '"';
};
const Fragments& fragments() {
  static const Fragments f;
  return f;
}
}  // namespace

void JsonExec::truncated_head(std::uint64_t needed, std::uint64_t had) {
  const Fragments& f = fragments();
  out_ += f.truncated_head;
  append_u64(out_, needed);
  out_ += f.had_key;
  append_u64(out_, had);
  out_ += f.partial_key;
}

void JsonExec::root(std::uint32_t idx, const std::uint8_t* p, std::size_t avail) {
  std::uint64_t budget = begin_root(idx, p, avail);
  const Node& n = plan_.nodes[idx];
  if (status_.over_budget && avail >= n.size) {
    truncated_head(n.size, status_.had);
    cut(idx, p, avail, 0, budget);
    out_ += '}';
    return;
  }
  value(idx, p, avail, 0, budget);
}

void JsonExec::value(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth,
                     std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  if (avail < n.size) {
    truncated_head(n.size, avail);
    cut(idx, p, avail, depth, budget);
    out_ += '}';
    return;
  }
  if (depth > kMaxNesting) {
    out_ += fragments().depth_limit;
    return;
  }
  if (n.cost <= budget || fits(plan_, idx, p, avail, budget))
    full(idx, p, depth);
  else
    cut(idx, p, avail, depth, budget);
}

void JsonExec::full(std::uint32_t idx, const std::uint8_t* p, int depth) {
  const Node& n = plan_.nodes[idx];
  std::string& out = out_;
  if (depth > kMaxNesting) {
    out += fragments().depth_limit;
    return;
  }
  switch (n.op) {
    case Op::Int:
      out += n.json_head;
      append_i64(out, decode_int(n, p).sext);
      out += '}';
      return;
    case Op::Uint:
      out += n.json_head;
      append_u64(out, decode_int(n, p).raw);
      out += '}';
      return;
    case Op::Bool:
      out += n.json_head;
      out += decode_int(n, p).raw != 0 ? "true}" : "false}";
      return;
    case Op::Char:
      out += n.json_head;
      append_u64(out, static_cast<std::uint8_t>(decode_int(n, p).raw));
      out += '}';
      return;
    case Op::Float: {
      out += n.json_head;
      double d = decode_float(n, p);
      if (std::isfinite(d))
        detail::append_f64(out, d);
      else
        out += "null";
      out += '}';
      return;
    }
    case Op::Enum:
      return full_enum(n, p);
    case Op::Struct:
      return full_struct(n, p, depth);
    case Op::Array:
      return full_array(n, p, depth);
    case Op::CpuList:
      out += n.json_head;
      out += cpu_list(p + n.aux, n.elem_size);
      out += n.json_tail;
      return;
    case Op::Ptr:
      return full_ptr(n, p);
    case Op::Bytes:
      return bytes(n, p, n.size);
    case Op::Unsupported:
      out += n.json_head;
      return;
  }
}

void JsonExec::full_enum(const Node& n, const std::uint8_t* p) {
  std::int64_t v = enum_value(n, decode_int(n, p));
  out_ += n.json_head;
  append_i64(out_, v);
  const EnumValue* match = nullptr;
  for (std::uint32_t i = 0; i < n.count; ++i)
    if (plan_.enum_values[n.first + i].value == v) {
      match = &plan_.enum_values[n.first + i];
      break;
    }
  out_ += match ? match->json_tail : n.json_tail;
}

void JsonExec::full_struct(const Node& n, const std::uint8_t* p, int depth) {
  out_ += n.json_head;
  each_member(n, p, [&](std::uint32_t i, const Member& m, const std::uint8_t* mp) {
    if (i) out_ += ',';
    out_ += m.json_prefix;
    full(m.node, mp, depth + 1);
    out_ += '}';
    maybe_flush();
  });
  out_ += n.json_tail;
}

void JsonExec::full_array(const Node& n, const std::uint8_t* p, int depth) {
  out_ += n.json_head;
  each_element(n, p, [&](std::uint32_t i, const std::uint8_t* ep) {
    if (i) out_ += ',';
    full(n.first, ep, depth + 1);
    maybe_flush();
  });
  out_ += n.json_tail;
}

void JsonExec::full_ptr(const Node& n, const std::uint8_t* p) {
  std::uint64_t a = load_le(p, 8);
  if (auto followed = follow(n.first, a)) {
    out_ += to_json(*followed);
    return;
  }
  out_ += n.json_head;
  append_u64(out_, a);
  if (a == 0)
    out_ += '}';
  else
    out_ += fragments().ptr_tail;
}

void JsonExec::bytes(const Node& n, const std::uint8_t* p, std::size_t shown) {
  out_ += n.json_head;
  append_hex_bytes(out_, {p, shown});
  out_ += n.json_tail;
}

void JsonExec::cut(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth,
                   std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  const bool short_bytes = avail < n.size;
  switch (n.op) {
    case Op::Struct:
      return cut_struct(n, p, avail, depth, budget);
    case Op::Array:
      return cut_array(n, p, avail, depth, budget);
    case Op::Bytes:
      if (!short_bytes) return bytes(n, p, bytes_shown(n, budget));
      [[fallthrough]];
    default:
      if (short_bytes) {
        out_ += fragments().bytes_head;
        append_hex_bytes(out_, {p, avail});
        out_ += "\"}";
        return;
      }
      full(idx, p, depth);
  }
}

void JsonExec::cut_struct(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                          std::uint64_t budget) {
  out_ += n.json_head;
  each_cut_member(n, p, avail, budget,
                  [&](std::uint32_t k, const Member& m, const std::uint8_t* mp, std::size_t mavail,
                      std::uint64_t give) {
                    if (k) out_ += ',';
                    out_ += m.json_prefix;
                    value(m.node, mp, mavail, depth + 1, give);
                    out_ += '}';
                    maybe_flush();
                  });
  out_ += n.json_tail;
}

void JsonExec::cut_array(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                         std::uint64_t budget) {
  out_ += n.json_head;
  each_cut_element(
      n, p, avail, budget,
      [&](std::uint32_t i, const std::uint8_t* ep, std::size_t eavail, std::uint64_t give) {
        if (i) out_ += ',';
        value(n.first, ep, eavail, depth + 1, give);
        maybe_flush();
      });
  out_ += n.json_tail;
}

}  // namespace scxsnap::btf_plan
