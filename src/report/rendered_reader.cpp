// SPDX-License-Identifier: Apache-2.0
// JSON → RenderedValue, driven by its table (rendered_fields.hpp): serde's
// internally tagged enum ("kind" first in what serde writes, accepted
// anywhere), the kind's fields read by slot, required as the table says,
// every error with its JSON path.
#include "rendered_fields.hpp"
#include "report_reader.hpp"

#include <fmt/format.h>

namespace scxsnap::detail {
namespace {

inline constexpr int kMaxValueDepth = 128;

std::string kind_list() {
  std::string s;
  for (const RvShape& shape : kRvShapes) {
    if (!s.empty()) s += ", ";
    s += shape.tag;
  }
  return s;
}

}  // namespace

Result<RenderedValue> read_rendered(od::value v, const PathNode& p, int depth);

namespace {

Result<std::optional<RenderedValue>> read_opt_rendered(od::value v, const PathNode& p, int depth) {
  bool null = false;
  if (!v.is_null().get(null) && null) return std::optional<RenderedValue>();
  SCXSNAP_TRY(RenderedValue r, read_rendered(v, p, depth));
  return std::optional<RenderedValue>(std::move(r));
}

Result<std::optional<std::string>> read_opt_string(od::value v, const PathNode& p) {
  bool null = false;
  if (!v.is_null().get(null) && null) return std::optional<std::string>();
  SCXSNAP_TRY(std::string s, read_string(v, p));
  return std::optional<std::string>(std::move(s));
}

Result<std::vector<RenderedMember>> read_members(od::value v, const PathNode& p, int depth) {
  SCXSNAP_TRY(od::array arr, read_array(v, p));
  std::vector<RenderedMember> out;
  SCXSNAP_TRY_VOID(for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
    SCXSNAP_TRY(od::object o, read_object(e, ep));
    KeySet ks(ep);
    std::string_view name;
    std::optional<RenderedValue> value;
    SCXSNAP_TRY_VOID(read_fields(o, ep, ks, kRvMemberKeys,
                                 [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
                                   if (i == 0) {
                                     if (auto err = fv.get_string().get(name)) {
                                       if (err == simdjson::INCORRECT_TYPE)
                                         return json_error(fp, "expected a string");
                                       return json_error(fp, err);
                                     }
                                     return {};
                                   }
                                   SCXSNAP_TRY(RenderedValue r, read_rendered(fv, fp, depth + 1));
                                   value = std::move(r);
                                   return {};
                                 }));
    SCXSNAP_TRY_VOID(require_all(ks, kRvMemberKeys, {0, 1}));
    // `name` points into the parser's string buffer, valid until the next
    // string read; take it before moving on.
    out.emplace_back(read_name(name), std::move(*value));
    return {};
  }));
  return out;
}

// What the fields of one value said, by slot; `build` makes the value.
struct Parts {
  std::uint32_t bits = 0;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0;
  bool b = false;
  bool is_signed = false;
  std::optional<std::string> variant, type_name, skip_reason, cast;
  std::vector<RenderedMember> members;
  std::uint64_t len = 0, needed = 0, had = 0;
  std::vector<RenderedValue> elements;
  std::string text;
  std::optional<RenderedValue> deref, partial;
};

Result<void> read_elements(od::value v, const PathNode& p, int depth,
                           std::vector<RenderedValue>& out) {
  SCXSNAP_TRY(od::array arr, read_array(v, p));
  return for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
    SCXSNAP_TRY(RenderedValue r, read_rendered(e, ep, depth + 1));
    out.push_back(std::move(r));
    return {};
  });
}

Result<std::uint8_t> read_byte(od::value v, const PathNode& p) {
  SCXSNAP_TRY(std::uint64_t c, read_u64(v, p));
  if (c > 255) return json_error(p, fmt::format("expected a byte (0-255), found {}", c));
  return static_cast<std::uint8_t>(c);
}

/// One field, by what its slot holds.
Result<void> read_slot(RvSlot s, od::value v, const PathNode& p, int depth, Parts& out) {
  switch (s) {
    case RvSlot::Bits: {
      SCXSNAP_TRY(out.bits, read_u32(v, p));
      return {};
    }
    case RvSlot::IntValue: {
      SCXSNAP_TRY(out.i, read_i64(v, p));
      return {};
    }
    case RvSlot::UintValue: {
      SCXSNAP_TRY(out.u, read_u64(v, p));
      return {};
    }
    case RvSlot::BoolValue: {
      SCXSNAP_TRY(out.b, read_bool(v, p));
      return {};
    }
    case RvSlot::CharValue: {
      SCXSNAP_TRY(out.u, read_byte(v, p));
      return {};
    }
    case RvSlot::FloatValue: {
      SCXSNAP_TRY(out.f, read_f64(v, p));
      return {};
    }
    case RvSlot::Variant: {
      SCXSNAP_TRY(out.variant, read_opt_string(v, p));
      return {};
    }
    case RvSlot::IsSigned: {
      SCXSNAP_TRY(out.is_signed, read_bool(v, p));
      return {};
    }
    case RvSlot::TypeName: {
      SCXSNAP_TRY(out.type_name, read_opt_string(v, p));
      return {};
    }
    case RvSlot::Members: {
      SCXSNAP_TRY(out.members, read_members(v, p, depth));
      return {};
    }
    case RvSlot::Len: {
      SCXSNAP_TRY(out.len, read_u64(v, p));
      return {};
    }
    case RvSlot::Elements:
      return read_elements(v, p, depth, out.elements);
    case RvSlot::Cpus:
    case RvSlot::Hex:
    case RvSlot::Reason: {
      SCXSNAP_TRY(out.text, read_string(v, p));
      return {};
    }
    case RvSlot::Deref: {
      SCXSNAP_TRY(out.deref, read_opt_rendered(v, p, depth + 1));
      return {};
    }
    case RvSlot::SkipReason: {
      SCXSNAP_TRY(out.skip_reason, read_opt_string(v, p));
      return {};
    }
    case RvSlot::Cast: {
      SCXSNAP_TRY(out.cast, read_opt_string(v, p));
      return {};
    }
    case RvSlot::Needed: {
      SCXSNAP_TRY(out.needed, read_u64(v, p));
      return {};
    }
    case RvSlot::Had: {
      SCXSNAP_TRY(out.had, read_u64(v, p));
      return {};
    }
    case RvSlot::Partial: {
      SCXSNAP_TRY(RenderedValue r, read_rendered(v, p, depth + 1));
      out.partial = std::move(r);
      return {};
    }
  }
  return {};
}

/// The value the parts make, once every required field was seen.
RenderedValue build(ValueKind k, Parts&& x) {
  switch (k) {
    case ValueKind::Int:
      return RenderedValue::make_int(x.bits, x.i);
    case ValueKind::Uint:
      return RenderedValue::make_uint(x.bits, x.u);
    case ValueKind::Bool:
      return RenderedValue::make_bool(x.b);
    case ValueKind::Char:
      return RenderedValue::make_char(static_cast<std::uint8_t>(x.u));
    case ValueKind::Float:
      return RenderedValue::make_float(x.bits, x.f);
    case ValueKind::Enum:
      if (x.variant)
        return RenderedValue::make_enum(x.bits, x.i, read_name(*x.variant), x.is_signed);
      return RenderedValue::make_enum(x.bits, x.i, std::nullopt, x.is_signed);
    case ValueKind::Struct:
      if (x.type_name)
        return RenderedValue::make_struct(read_name(*x.type_name), std::move(x.members));
      return RenderedValue::make_struct(std::nullopt, std::move(x.members));
    case ValueKind::Array:
      return RenderedValue::make_array(x.len, std::move(x.elements));
    case ValueKind::CpuList:
      return RenderedValue::make_cpu_list(std::move(x.text));
    case ValueKind::Ptr:
      return RenderedValue::make_ptr(x.u, std::move(x.deref), std::move(x.skip_reason),
                                     std::move(x.cast));
    case ValueKind::Bytes:
      return RenderedValue::make_bytes(std::move(x.text));
    case ValueKind::Truncated:
      return RenderedValue::make_truncated(x.needed, x.had, std::move(*x.partial));
    case ValueKind::Unsupported:
      return RenderedValue::make_unsupported(std::move(x.text));
  }
  return RenderedValue::make_unsupported("unknown kind");
}

}  // namespace

Result<RenderedValue> read_rendered(od::value v, const PathNode& p, int depth) {
  if (depth > kMaxValueDepth)
    return json_error(p,
                      fmt::format("rendered value nested deeper than {} levels", kMaxValueDepth));
  SCXSNAP_TRY(od::object obj, read_object(v, p));

  // serde's internally tagged enums accept "kind" anywhere; it is first in
  // everything serde writes, so look for it, then rewind.
  PathNode kp = p.child("kind");
  std::string_view tag;
  {
    od::value kv;
    auto err = obj.find_field_unordered("kind").get(kv);
    if (err == simdjson::NO_SUCH_FIELD) return json_error(p, "missing field `kind`");
    if (err) return json_error(kp, err);
    if (auto e2 = kv.get_string().get(tag)) {
      if (e2 == simdjson::INCORRECT_TYPE)
        return json_error(
            kp, fmt::format("expected a string naming the kind (one of {})", kind_list()));
      return json_error(kp, e2);
    }
  }
  std::optional<ValueKind> kind = kind_from_tag(tag);
  if (!kind)
    return json_error(kp, fmt::format("unknown kind '{}' (expected one of {})", tag, kind_list()));
  if (auto err = obj.reset().error()) return json_error(p, err);

  // Bit 0 is "kind", bit 1 + i the kind's field i; keys of other kinds are
  // ignored like any unknown key, as serde does.
  const RvShape& shape = rv_shape(*kind);
  KeySet ks(p);
  Parts parts;
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view key, od::value fv, const PathNode& fp) -> Result<void> {
        if (key == "kind") return ks.see(0, key);
        for (std::size_t i = 0; i < shape.fields.size(); ++i) {
          const RvField& f = shape.fields[i];
          if (f.name != key) continue;
          SCXSNAP_TRY_VOID(ks.see(static_cast<int>(i + 1), key));
          return read_slot(f.slot, fv, fp, depth, parts);
        }
        return {};
      }));
  for (std::size_t i = 0; i < shape.fields.size(); ++i)
    if (shape.fields[i].absent == RvAbsent::Never)
      SCXSNAP_TRY_VOID(ks.require(static_cast<int>(i + 1), shape.fields[i].name));
  return build(*kind, std::move(parts));
}

}  // namespace scxsnap::detail
