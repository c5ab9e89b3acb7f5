// SPDX-License-Identifier: Apache-2.0
// Running a layout plan over bytes: into a RenderedValue tree, or straight into
// JSON. The two executors share the decoding helpers and emit the same value.
#include "plan_exec.hpp"

#include "raw_bytes.hpp"
#include "render_budget.hpp"
#include "report/json/json_writer.hpp"
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
  if (depth > kMaxNesting) return RenderedValue::make_unsupported("render depth limit exceeded");
  if (n.cost <= budget || fits(plan_, idx, p, avail, budget)) return full(idx, p, depth);
  return cut(idx, p, avail, depth, budget);
}

RenderedValue TreeExec::full(std::uint32_t idx, const std::uint8_t* p, int depth) {
  const Node& n = plan_.nodes[idx];
  if (depth > kMaxNesting) return RenderedValue::make_unsupported("render depth limit exceeded");
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
    case Op::Enum: {
      std::int64_t v = enum_value(n, decode_int(n, p));
      const SharedName* name = enum_variant(plan_, n, v);
      if (name) return RenderedValue::make_enum(n.bits, v, *name, n.is_signed);
      return RenderedValue::make_enum(n.bits, v, std::nullopt, n.is_signed);
    }
    case Op::Struct: {
      std::vector<RenderedMember> members;
      members.reserve(n.count);
      for (std::uint32_t i = 0; i < n.count; ++i) {
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        const Member& m = plan_.members[n.first + i];
        members.emplace_back(m.name, full(m.node, p + m.byte_off, depth + 1));
      }
      if (n.has_type_name) return RenderedValue::make_struct(n.type_name, std::move(members));
      return RenderedValue::make_struct(std::nullopt, std::move(members));
    }
    case Op::Array: {
      std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
      std::vector<RenderedValue> elems;
      elems.reserve(shown);
      for (std::uint32_t i = 0; i < shown; ++i) {
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        elems.push_back(full(n.first, p + std::size_t{i} * n.elem_size, depth + 1));
      }
      return RenderedValue::make_array(n.count, std::move(elems));
    }
    case Op::CpuList:
      return RenderedValue::make_cpu_list(cpu_list(p + n.aux, n.elem_size));
    case Op::Ptr: {
      std::uint64_t a = load_le(p, 8);
      if (a == 0) return RenderedValue::make_ptr(0);
      if (auto followed = follow(n.first, a)) return std::move(*followed);
      return RenderedValue::make_ptr(a, std::nullopt, std::string(kPtrReason));
    }
    case Op::Bytes:
      return RenderedValue::make_bytes(hex_bytes({p, n.size}));
    case Op::Unsupported:
      return RenderedValue::make_unsupported(plan_.reasons[n.aux]);
  }
  return RenderedValue::make_unsupported("unknown plan op");
}

// Over budget, or fewer bytes than the type (`avail` < size): what fits.
RenderedValue TreeExec::cut(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth,
                            std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  const bool short_bytes = avail < n.size;
  switch (n.op) {
    case Op::Struct: {
      std::vector<std::uint64_t> give;
      allot_members(plan_, n, p, avail, budget, give);
      std::vector<RenderedMember> members;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan_.members[n.first + i];
        if (short_bytes && m.byte_off >= avail && plan_.nodes[m.node].size > 0) continue;
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        std::size_t off = std::min<std::size_t>(m.byte_off, avail);
        members.emplace_back(m.name, value(m.node, p + off, avail - off, depth + 1, give[i]));
      }
      if (n.has_type_name) return RenderedValue::make_struct(n.type_name, std::move(members));
      return RenderedValue::make_struct(std::nullopt, std::move(members));
    }
    case Op::Array: {
      ArrayAllot a = allot_array(plan_, n, p, avail, budget);
      std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
      std::vector<RenderedValue> elems;
      for (std::uint32_t i = 0; i < shown; ++i) {
        std::size_t off = std::size_t{i} * n.elem_size;
        if (short_bytes && (n.elem_size == 0 || off >= avail)) break;
        if (i > a.whole || (i == a.whole && a.last_budget == 0)) break;
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        elems.push_back(value(n.first, p + off, avail - off, depth + 1,
                              i < a.whole ? kNoBudget : a.last_budget));
      }
      return RenderedValue::make_array(n.count, std::move(elems));
    }
    case Op::Bytes:
      if (!short_bytes) return RenderedValue::make_bytes(hex_bytes({p, bytes_shown(n, budget)}));
      [[fallthrough]];
    default:
      if (short_bytes) return RenderedValue::make_bytes(hex_bytes({p, avail}));
      return full(idx, p, depth);
  }
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
constexpr std::string_view kPtrTail =
    ",\"deref_skipped_reason\":\"live host capture: kernel memory behind pointers is not read\"}";
constexpr std::string_view kDepthLimit =
    "{\"kind\":\"unsupported\",\"reason\":\"render depth limit exceeded\"}";
}  // namespace

void JsonExec::truncated_head(std::uint64_t needed, std::uint64_t had) {
  out_ += "{\"kind\":\"truncated\",\"needed\":";
  append_u64(out_, needed);
  out_ += ",\"had\":";
  append_u64(out_, had);
  out_ += ",\"partial\":";
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
    out_ += kDepthLimit;
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
    out += kDepthLimit;
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
    case Op::Enum: {
      std::int64_t v = enum_value(n, decode_int(n, p));
      out += n.json_head;
      append_i64(out, v);
      const EnumValue* match = nullptr;
      for (std::uint32_t i = 0; i < n.count; ++i)
        if (plan_.enum_values[n.first + i].value == v) {
          match = &plan_.enum_values[n.first + i];
          break;
        }
      out += match ? match->json_tail : n.json_tail;
      return;
    }
    case Op::Struct:
      out += n.json_head;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        const Member& m = plan_.members[n.first + i];
        if (i) out += ',';
        out += m.json_prefix;
        full(m.node, p + m.byte_off, depth + 1);
        out += '}';
        maybe_flush();
      }
      out += n.json_tail;
      return;
    case Op::Array: {
      out += n.json_head;
      std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
      for (std::uint32_t i = 0; i < shown; ++i) {
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        if (i) out += ',';
        full(n.first, p + std::size_t{i} * n.elem_size, depth + 1);
        maybe_flush();
      }
      out += n.json_tail;
      return;
    }
    case Op::CpuList:
      out += n.json_head;
      out += cpu_list(p + n.aux, n.elem_size);
      out += n.json_tail;
      return;
    case Op::Ptr: {
      std::uint64_t a = load_le(p, 8);
      if (auto followed = follow(n.first, a)) {
        out += to_json(*followed);
        return;
      }
      out += n.json_head;
      append_u64(out, a);
      if (a == 0)
        out += '}';
      else
        out += kPtrTail;
      return;
    }
    case Op::Bytes:
      out += n.json_head;
      append_hex_bytes(out, {p, n.size});
      out += n.json_tail;
      return;
    case Op::Unsupported:
      out += n.json_head;
      return;
  }
}

void JsonExec::cut(std::uint32_t idx, const std::uint8_t* p, std::size_t avail, int depth,
                   std::uint64_t budget) {
  const Node& n = plan_.nodes[idx];
  const bool short_bytes = avail < n.size;
  switch (n.op) {
    case Op::Struct: {
      std::vector<std::uint64_t> give;
      allot_members(plan_, n, p, avail, budget, give);
      out_ += n.json_head;
      bool first = true;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan_.members[n.first + i];
        if (short_bytes && m.byte_off >= avail && plan_.nodes[m.node].size > 0) continue;
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        std::size_t off = std::min<std::size_t>(m.byte_off, avail);
        if (!first) out_ += ',';
        first = false;
        out_ += m.json_prefix;
        value(m.node, p + off, avail - off, depth + 1, give[i]);
        out_ += '}';
        maybe_flush();
      }
      out_ += n.json_tail;
      return;
    }
    case Op::Array: {
      ArrayAllot a = allot_array(plan_, n, p, avail, budget);
      std::uint32_t shown = std::min(n.count, plan_.max_array_elements);
      out_ += n.json_head;
      for (std::uint32_t i = 0; i < shown; ++i) {
        std::size_t off = std::size_t{i} * n.elem_size;
        if (short_bytes && (n.elem_size == 0 || off >= avail)) break;
        if (i > a.whole || (i == a.whole && a.last_budget == 0)) break;
        if (i % kPollEvery == kPollEvery - 1 && poll()) break;
        if (i) out_ += ',';
        value(n.first, p + off, avail - off, depth + 1, i < a.whole ? kNoBudget : a.last_budget);
        maybe_flush();
      }
      out_ += n.json_tail;
      return;
    }
    case Op::Bytes:
      if (!short_bytes) {
        out_ += n.json_head;
        append_hex_bytes(out_, {p, bytes_shown(n, budget)});
        out_ += n.json_tail;
        return;
      }
      [[fallthrough]];
    default:
      if (short_bytes) {
        out_ += "{\"kind\":\"bytes\",\"hex\":\"";
        append_hex_bytes(out_, {p, avail});
        out_ += "\"}";
        return;
      }
      full(idx, p, depth);
  }
}

}  // namespace scxsnap::btf_plan
