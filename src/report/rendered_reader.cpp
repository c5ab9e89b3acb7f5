// SPDX-License-Identifier: Apache-2.0
// JSON → RenderedValue: serde's internally tagged enum ("kind" first in what
// serde writes, accepted anywhere), each kind's fields required as ktstr's
// types require them, every error with its JSON path.
#include "report_reader.hpp"

#include <fmt/format.h>

namespace scxsnap::detail {
namespace {

inline constexpr int kMaxValueDepth = 128;

std::string kind_list() {
  std::string s;
  for (int i = 0; i <= static_cast<int>(ValueKind::Unsupported); ++i) {
    if (i) s += ", ";
    s += kind_tag(static_cast<ValueKind>(i));
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
  static constexpr std::array<std::string_view, 2> kNames = {"name", "value"};
  SCXSNAP_TRY_VOID(for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
    SCXSNAP_TRY(od::object o, read_object(e, ep));
    KeySet ks(ep);
    std::string_view name;
    std::optional<RenderedValue> value;
    SCXSNAP_TRY_VOID(read_fields(o, ep, ks, kNames,
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
    SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1}));
    // `name` points into the parser's string buffer, valid until the next
    // string read; take it before moving on.
    out.emplace_back(read_name(name), std::move(*value));
    return {};
  }));
  return out;
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

  // kind, bits, value, variant, is_signed, type_name, members, len, elements,
  // cpus, deref, deref_skipped_reason, cast_annotation, hex, needed, had,
  // partial, reason
  static constexpr std::array<std::string_view, 18> kNames = {"kind",
                                                              "bits",
                                                              "value",
                                                              "variant",
                                                              "is_signed",
                                                              "type_name",
                                                              "members",
                                                              "len",
                                                              "elements",
                                                              "cpus",
                                                              "deref",
                                                              "deref_skipped_reason",
                                                              "cast_annotation",
                                                              "hex",
                                                              "needed",
                                                              "had",
                                                              "partial",
                                                              "reason"};
  enum : int {
    kKind,
    kBits,
    kValue,
    kVariant,
    kIsSigned,
    kTypeName,
    kMembers,
    kLen,
    kElements,
    kCpus,
    kDeref,
    kSkipped,
    kCast,
    kHex,
    kNeeded,
    kHad,
    kPartial,
    kReason
  };
  KeySet ks(p);
  std::uint32_t bits = 0;
  std::int64_t ivalue = 0;
  std::uint64_t uvalue = 0;
  double fvalue = 0;
  bool bvalue = false;
  std::optional<std::string> variant, type_name, skipped, cast;
  bool is_signed = false;
  std::vector<RenderedMember> members;
  std::uint64_t len = 0, needed = 0, had = 0;
  std::vector<RenderedValue> elements;
  std::string text;
  std::optional<RenderedValue> deref, partial;
  const ValueKind k = *kind;

  // Hot path: dispatch on the key by length first instead of scanning kNames.
  auto key_index = [](std::string_view n) -> int {
    switch (n.size()) {
      case 3:
        return n == "len" ? kLen : n == "had" ? kHad : n == "hex" ? kHex : -1;
      case 4:
        return n == "kind" ? kKind : n == "bits" ? kBits : n == "cpus" ? kCpus : -1;
      case 5:
        return n == "value" ? kValue : n == "deref" ? kDeref : -1;
      case 6:
        return n == "needed" ? kNeeded : n == "reason" ? kReason : -1;
      case 7:
        return n == "members"   ? kMembers
               : n == "variant" ? kVariant
               : n == "partial" ? kPartial
                                : -1;
      case 8:
        return n == "elements" ? kElements : -1;
      case 9:
        return n == "is_signed" ? kIsSigned : n == "type_name" ? kTypeName : -1;
      case 15:
        return n == "cast_annotation" ? kCast : -1;
      case 20:
        return n == "deref_skipped_reason" ? kSkipped : -1;
      default:
        return -1;
    }
  };
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view key, od::value fv, const PathNode& fp) -> Result<void> {
        int i = key_index(key);
        if (i < 0) return {};  // unknown key: ignored, as serde does
        SCXSNAP_TRY_VOID(ks.see(i, key));
        switch (i) {
          case kKind:
            return {};
          case kBits: {
            SCXSNAP_TRY(bits, read_u32(fv, fp));
            return {};
          }
          case kValue:
            switch (k) {
              case ValueKind::Int:
              case ValueKind::Enum: {
                SCXSNAP_TRY(ivalue, read_i64(fv, fp));
                return {};
              }
              case ValueKind::Uint:
              case ValueKind::Ptr: {
                SCXSNAP_TRY(uvalue, read_u64(fv, fp));
                return {};
              }
              case ValueKind::Bool: {
                SCXSNAP_TRY(bvalue, read_bool(fv, fp));
                return {};
              }
              case ValueKind::Char: {
                SCXSNAP_TRY(std::uint64_t c, read_u64(fv, fp));
                if (c > 255)
                  return json_error(fp, fmt::format("expected a byte (0-255), found {}", c));
                uvalue = c;
                return {};
              }
              case ValueKind::Float: {
                SCXSNAP_TRY(fvalue, read_f64(fv, fp));
                return {};
              }
              default:
                return {};  // not a field of this kind: ignored like any unknown key
            }
          case kVariant: {
            SCXSNAP_TRY(variant, read_opt_string(fv, fp));
            return {};
          }
          case kIsSigned: {
            SCXSNAP_TRY(is_signed, read_bool(fv, fp));
            return {};
          }
          case kTypeName: {
            SCXSNAP_TRY(type_name, read_opt_string(fv, fp));
            return {};
          }
          case kMembers: {
            if (k != ValueKind::Struct) return {};
            SCXSNAP_TRY(members, read_members(fv, fp, depth));
            return {};
          }
          case kLen: {
            SCXSNAP_TRY(len, read_u64(fv, fp));
            return {};
          }
          case kElements: {
            if (k != ValueKind::Array) return {};
            SCXSNAP_TRY(od::array arr, read_array(fv, fp));
            return for_each_element(arr, fp, [&](od::value e, const PathNode& ep) -> Result<void> {
              SCXSNAP_TRY(RenderedValue r, read_rendered(e, ep, depth + 1));
              elements.push_back(std::move(r));
              return {};
            });
          }
          case kCpus:
          case kHex:
          case kReason: {
            SCXSNAP_TRY(text, read_string(fv, fp));
            return {};
          }
          case kDeref: {
            if (k != ValueKind::Ptr) return {};
            SCXSNAP_TRY(deref, read_opt_rendered(fv, fp, depth + 1));
            return {};
          }
          case kSkipped: {
            SCXSNAP_TRY(skipped, read_opt_string(fv, fp));
            return {};
          }
          case kCast: {
            SCXSNAP_TRY(cast, read_opt_string(fv, fp));
            return {};
          }
          case kNeeded: {
            SCXSNAP_TRY(needed, read_u64(fv, fp));
            return {};
          }
          case kHad: {
            SCXSNAP_TRY(had, read_u64(fv, fp));
            return {};
          }
          case kPartial: {
            if (k != ValueKind::Truncated) return {};
            SCXSNAP_TRY(RenderedValue r, read_rendered(fv, fp, depth + 1));
            partial = std::move(r);
            return {};
          }
        }
        return {};
      }));

  switch (k) {
    case ValueKind::Int:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kBits, kValue}));
      return RenderedValue::make_int(bits, ivalue);
    case ValueKind::Uint:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kBits, kValue}));
      return RenderedValue::make_uint(bits, uvalue);
    case ValueKind::Bool:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kValue}));
      return RenderedValue::make_bool(bvalue);
    case ValueKind::Char:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kValue}));
      return RenderedValue::make_char(static_cast<std::uint8_t>(uvalue));
    case ValueKind::Float:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kBits, kValue}));
      return RenderedValue::make_float(bits, fvalue);
    case ValueKind::Enum:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kBits, kValue}));
      if (variant) return RenderedValue::make_enum(bits, ivalue, read_name(*variant), is_signed);
      return RenderedValue::make_enum(bits, ivalue, std::nullopt, is_signed);
    case ValueKind::Struct:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kMembers}));
      if (type_name) return RenderedValue::make_struct(read_name(*type_name), std::move(members));
      return RenderedValue::make_struct(std::nullopt, std::move(members));
    case ValueKind::Array:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kLen, kElements}));
      return RenderedValue::make_array(len, std::move(elements));
    case ValueKind::CpuList:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kCpus}));
      return RenderedValue::make_cpu_list(std::move(text));
    case ValueKind::Ptr:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kValue}));
      return RenderedValue::make_ptr(uvalue, std::move(deref), std::move(skipped), std::move(cast));
    case ValueKind::Bytes:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kHex}));
      return RenderedValue::make_bytes(std::move(text));
    case ValueKind::Truncated:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kNeeded, kHad, kPartial}));
      return RenderedValue::make_truncated(needed, had, std::move(*partial));
    case ValueKind::Unsupported:
      SCXSNAP_TRY_VOID(require_all(ks, kNames, {kReason}));
      return RenderedValue::make_unsupported(std::move(text));
  }
  return json_error(p, "unknown kind");
}

}  // namespace scxsnap::detail
