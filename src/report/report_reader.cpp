// SPDX-License-Identifier: Apache-2.0
// JSON → FailureDumpReport with simdjson On-Demand. Every error names the JSON
// path and what was expected. Serde rules: fields without a skip attribute are
// required; unknown keys are ignored (as serde does); a key given twice is an
// error (as serde's derive reports it).
#include "report/report_reader.hpp"

#include "flat_fields.hpp"
#include "guard.hpp"
#include "json_reader.hpp"
#include "opaque_shapes.hpp"
#include "scxsnap/report.hpp"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <simdjson.h>
#include <span>

namespace scxsnap {
namespace detail {
namespace {

inline constexpr int kMaxValueDepth = 128;

// Tracks which known keys an object had: duplicates and missing required keys.
class KeySet {
 public:
  explicit KeySet(const PathNode& p) : p_(p) {}
  Result<void> see(int bit, std::string_view key) {
    if (seen_.test(static_cast<std::size_t>(bit)))
      return json_error(p_, fmt::format("duplicate key '{}'", key));
    seen_.set(static_cast<std::size_t>(bit));
    return {};
  }
  bool has(int bit) const { return seen_.test(static_cast<std::size_t>(bit)); }
  Result<void> require(int bit, std::string_view key) const {
    if (!has(bit)) return json_error(p_, fmt::format("missing required key '{}'", key));
    return {};
  }

 private:
  const PathNode& p_;
  std::bitset<64> seen_;
};

// A table-driven field dispatcher: `names` lists the known keys; the handler
// receives the index of the matched key.
template <std::size_t N, class Fn>
Result<void> read_fields(od::object obj, const PathNode& p, KeySet& ks,
                         const std::array<std::string_view, N>& names, Fn&& fn) {
  return for_each_field(obj, p,
                        [&](std::string_view k, od::value v, const PathNode& cp) -> Result<void> {
                          for (std::size_t i = 0; i < N; ++i) {
                            if (names[i] == k) {
                              SCXSNAP_TRY_VOID(ks.see(static_cast<int>(i), k));
                              return fn(static_cast<int>(i), v, cp);
                            }
                          }
                          return {};  // unknown key: ignored
                        });
}

template <std::size_t N>
Result<void> require_all(const KeySet& ks, const std::array<std::string_view, N>& names,
                         std::initializer_list<int> required) {
  for (int i : required) SCXSNAP_TRY_VOID(ks.require(i, names[static_cast<std::size_t>(i)]));
  return {};
}

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
    if (err == simdjson::NO_SUCH_FIELD) return json_error(p, "missing required key 'kind'");
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

namespace {

// ---- small typed readers ------------------------------------------------------

template <class T, class ReadOne>
Result<std::vector<T>> read_list(od::value v, const PathNode& p, ReadOne&& one) {
  SCXSNAP_TRY(od::array arr, read_array(v, p));
  std::vector<T> out;
  SCXSNAP_TRY_VOID(for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
    SCXSNAP_TRY(T x, one(e, ep));
    out.push_back(std::move(x));
    return {};
  }));
  return out;
}

Result<std::vector<std::uint64_t>> read_u64_list(od::value v, const PathNode& p) {
  return read_list<std::uint64_t>(v, p, read_u64);
}
Result<std::vector<std::uint32_t>> read_u32_list(od::value v, const PathNode& p) {
  return read_list<std::uint32_t>(v, p, read_u32);
}

Result<std::vector<std::optional<RenderedValue>>> read_per_cpu(od::value v, const PathNode& p) {
  return read_list<std::optional<RenderedValue>>(
      v, p, [](od::value e, const PathNode& ep) { return read_opt_rendered(e, ep, 0); });
}

Result<std::vector<JsonValue>> read_json_list(od::value v, const PathNode& p) {
  return read_list<JsonValue>(
      v, p, [](od::value e, const PathNode& ep) { return read_json_value(e, ep, 1); });
}

// Reads one struct whose every field is a u64/u32/i64/... member pointer.
// Used for the many flat counter structs.
// One member of a flat struct, by its type (overloads, so the table walk
// below stays one small template).
Result<void> read_member(std::uint64_t& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_u64(v, p));
  return {};
}
Result<void> read_member(std::uint32_t& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_u32(v, p));
  return {};
}
Result<void> read_member(std::int64_t& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_i64(v, p));
  return {};
}
Result<void> read_member(std::int32_t& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_i32(v, p));
  return {};
}
Result<void> read_member(bool& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_bool(v, p));
  return {};
}
Result<void> read_member(std::string& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_string(v, p));
  return {};
}
Result<void> read_member(std::optional<std::string>& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_opt_string(v, p));
  return {};
}
Result<void> read_member(std::vector<std::uint64_t>& dst, od::value v, const PathNode& p) {
  SCXSNAP_TRY(dst, read_u64_list(v, p));
  return {};
}
// Optional integers: null is none.
template <class T>
Result<void> read_member(std::optional<T>& dst, od::value v, const PathNode& p) {
  bool null = false;
  if (!v.is_null().get(null) && null) return {};
  T x{};
  SCXSNAP_TRY_VOID(read_member(x, v, p));
  dst = x;
  return {};
}

// A flat ktstr struct from its table (flat_fields.hpp): members in any
// order, each read as its member pointer's type, required ones checked.
template <class S, std::size_t N>
Result<S> read_flat(od::value v, const PathNode& p, const std::array<FlatField<S>, N>& fields) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  S s{};
  KeySet ks(p);
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = fields[i].name;
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, names, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        return std::visit([&](auto m) { return read_member(s.*m, fv, fp); },
                          fields[static_cast<std::size_t>(i)].member);
      }));
  for (std::size_t i = 0; i < N; ++i)
    if (fields[i].required) SCXSNAP_TRY_VOID(ks.require(static_cast<int>(i), fields[i].name));
  return s;
}

Result<TaskEnrichment> read_task(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  TaskEnrichment t;
  KeySet ks(p);
  static constexpr std::array<std::string_view, 3> kNames = {"pid", "tgid", "comm"};
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view k, od::value fv, const PathNode& fp) -> Result<void> {
        for (int i = 0; i < 3; ++i) {
          if (k != kNames[static_cast<std::size_t>(i)]) continue;
          SCXSNAP_TRY_VOID(ks.see(i, k));
          if (i == 0) {
            SCXSNAP_TRY(t.pid, read_i32(fv, fp));
          } else if (i == 1) {
            SCXSNAP_TRY(t.tgid, read_i32(fv, fp));
          } else {
            SCXSNAP_TRY(t.comm, read_string(fv, fp));
          }
          return {};
        }
        std::string key(k);  // copy before reading the value reuses the string buffer
        SCXSNAP_TRY(JsonValue x, read_json_value(fv, fp, 1));
        t.rest.emplace_back(std::move(key), std::move(x));
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1, 2}));
  SCXSNAP_TRY_VOID(check_task_enrichment_rest(t.rest, path_text(&p)));
  return t;
}

Result<FailureDumpEntry> read_hash_entry(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 5> kNames = {"key", "key_hex", "value", "value_hex",
                                                             "payload"};
  FailureDumpEntry e;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(e.key, read_opt_rendered(fv, fp, 0));
            break;
          }
          case 1: {
            SCXSNAP_TRY(e.key_hex, read_string(fv, fp));
            break;
          }
          case 2: {
            SCXSNAP_TRY(e.value, read_opt_rendered(fv, fp, 0));
            break;
          }
          case 3: {
            SCXSNAP_TRY(e.value_hex, read_string(fv, fp));
            break;
          }
          default: {
            SCXSNAP_TRY(e.payload, read_opt_rendered(fv, fp, 0));
            break;
          }
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {1, 3}));
  return e;
}

Result<FailureDumpArrayEntry> read_array_entry(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 2> kNames = {"key", "value"};
  FailureDumpArrayEntry e;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        if (i == 0) {
          SCXSNAP_TRY(e.key, read_u32(fv, fp));
        } else {
          SCXSNAP_TRY(e.value, read_opt_rendered(fv, fp, 0));
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0}));
  return e;
}

Result<FailureDumpPercpuEntry> read_percpu_entry(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 2> kNames = {"key", "per_cpu"};
  FailureDumpPercpuEntry e;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        if (i == 0) {
          SCXSNAP_TRY(e.key, read_u32(fv, fp));
        } else {
          SCXSNAP_TRY(e.per_cpu, read_per_cpu(fv, fp));
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1}));
  return e;
}

Result<FailureDumpPercpuHashEntry> read_percpu_hash_entry(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 3> kNames = {"key", "key_hex", "per_cpu"};
  FailureDumpPercpuHashEntry e;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        if (i == 0) {
          SCXSNAP_TRY(e.key, read_opt_rendered(fv, fp, 0));
        } else if (i == 1) {
          SCXSNAP_TRY(e.key_hex, read_string(fv, fp));
        } else {
          SCXSNAP_TRY(e.per_cpu, read_per_cpu(fv, fp));
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {1, 2}));
  return e;
}

Result<ArenaSnapshot> read_arena(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 6> kNames = {
      "pages", "truncated", "declared_pages", "span_capped", "kern_vm_start", "user_vm_start"};
  ArenaSnapshot a;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(
                a.pages,
                read_list<
                    ArenaPage>(fv, fp, [](od::value e, const PathNode& ep) -> Result<ArenaPage> {
                  SCXSNAP_TRY(od::object po, read_object(e, ep));
                  static constexpr std::array<std::string_view, 2> kPage = {"user_addr", "bytes"};
                  ArenaPage pg;
                  KeySet pks(ep);
                  SCXSNAP_TRY_VOID(read_fields(
                      po, ep, pks, kPage,
                      [&](int j, od::value pv, const PathNode& pp) -> Result<void> {
                        if (j == 0) {
                          SCXSNAP_TRY(pg.user_addr, read_u64(pv, pp));
                          return {};
                        }
                        SCXSNAP_TRY(
                            pg.bytes,
                            read_list<std::uint8_t>(
                                pv, pp,
                                [](od::value b, const PathNode& bp) -> Result<std::uint8_t> {
                                  SCXSNAP_TRY(std::uint64_t x, read_u64(b, bp));
                                  if (x > 255)
                                    return json_error(
                                        bp, fmt::format("expected a byte (0-255), found {}", x));
                                  return static_cast<std::uint8_t>(x);
                                }));
                        return {};
                      }));
                  SCXSNAP_TRY_VOID(require_all(pks, kPage, {0, 1}));
                  return pg;
                }));
            break;
          }
          case 1: {
            SCXSNAP_TRY(a.truncated, read_bool(fv, fp));
            break;
          }
          case 2: {
            SCXSNAP_TRY(a.declared_pages, read_u64(fv, fp));
            break;
          }
          case 3: {
            SCXSNAP_TRY(a.span_capped, read_bool(fv, fp));
            break;
          }
          case 4: {
            SCXSNAP_TRY(a.kern_vm_start, read_u64(fv, fp));
            break;
          }
          default: {
            SCXSNAP_TRY(a.user_vm_start, read_u64(fv, fp));
            break;
          }
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {2, 4, 5}));
  return a;
}

Result<FailureDumpStackTrace> read_stack_trace(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 4> kNames = {"n_buckets", "entries", "truncated",
                                                             "buckets_unreadable"};
  FailureDumpStackTrace s;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(s.n_buckets, read_u32(fv, fp));
            break;
          }
          case 1: {
            SCXSNAP_TRY(
                s.entries,
                read_list<FailureDumpStackTraceEntry>(
                    fv, fp,
                    [](od::value e, const PathNode& ep) -> Result<FailureDumpStackTraceEntry> {
                      SCXSNAP_TRY(od::object eo, read_object(e, ep));
                      static constexpr std::array<std::string_view, 4> kE = {"bucket_id", "nr",
                                                                             "pcs", "data_hex"};
                      FailureDumpStackTraceEntry se;
                      KeySet eks(ep);
                      SCXSNAP_TRY_VOID(read_fields(
                          eo, ep, eks, kE,
                          [&](int j, od::value ev, const PathNode& epp) -> Result<void> {
                            switch (j) {
                              case 0: {
                                SCXSNAP_TRY(se.bucket_id, read_u32(ev, epp));
                                break;
                              }
                              case 1: {
                                SCXSNAP_TRY(se.nr, read_u32(ev, epp));
                                break;
                              }
                              case 2: {
                                SCXSNAP_TRY(se.pcs, read_u64_list(ev, epp));
                                break;
                              }
                              default: {
                                SCXSNAP_TRY(se.data_hex, read_string(ev, epp));
                                break;
                              }
                            }
                            return {};
                          }));
                      SCXSNAP_TRY_VOID(require_all(eks, kE, {0, 1, 3}));
                      return se;
                    }));
            break;
          }
          case 2: {
            SCXSNAP_TRY(s.truncated, read_bool(fv, fp));
            break;
          }
          default: {
            SCXSNAP_TRY(s.buckets_unreadable, read_u32(fv, fp));
            break;
          }
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1}));
  return s;
}

Result<FailureDumpFdArray> read_fd_array(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 7> kNames = {
      "populated",         "scanned",    "indices",      "truncated",
      "indices_truncated", "unreadable", "inner_map_ids"};
  FailureDumpFdArray f;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(f.populated, read_u32(fv, fp));
            break;
          }
          case 1: {
            SCXSNAP_TRY(f.scanned, read_u32(fv, fp));
            break;
          }
          case 2: {
            SCXSNAP_TRY(f.indices, read_u32_list(fv, fp));
            break;
          }
          case 3: {
            SCXSNAP_TRY(f.truncated, read_bool(fv, fp));
            break;
          }
          case 4: {
            SCXSNAP_TRY(f.indices_truncated, read_bool(fv, fp));
            break;
          }
          case 5: {
            SCXSNAP_TRY(f.unreadable, read_u32(fv, fp));
            break;
          }
          default: {
            SCXSNAP_TRY(f.inner_map_ids, read_u32_list(fv, fp));
            break;
          }
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1}));
  return f;
}

Result<FailureDumpMap> read_map(od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  static constexpr std::array<std::string_view, 17> kNames = {"name",
                                                              "map_kva",
                                                              "map_id",
                                                              "map_type",
                                                              "value_size",
                                                              "max_entries",
                                                              "value",
                                                              "entries",
                                                              "array_entries",
                                                              "percpu_entries",
                                                              "percpu_hash_entries",
                                                              "arena",
                                                              "ringbuf",
                                                              "stack_trace",
                                                              "fd_array",
                                                              "error",
                                                              "btf_id"};
  FailureDumpMap m;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(m.name, read_string(fv, fp));
            break;
          }
          case 1: {
            SCXSNAP_TRY(m.map_kva, read_u64(fv, fp));
            break;
          }
          case 2: {
            SCXSNAP_TRY(m.map_id, read_u32(fv, fp));
            break;
          }
          case 3: {
            SCXSNAP_TRY(m.map_type, read_u32(fv, fp));
            break;
          }
          case 4: {
            SCXSNAP_TRY(m.value_size, read_u32(fv, fp));
            break;
          }
          case 5: {
            SCXSNAP_TRY(m.max_entries, read_u32(fv, fp));
            break;
          }
          case 6: {
            SCXSNAP_TRY(m.value, read_opt_rendered(fv, fp, 0));
            break;
          }
          case 7: {
            SCXSNAP_TRY(m.entries, read_list<FailureDumpEntry>(fv, fp, read_hash_entry));
            break;
          }
          case 8: {
            SCXSNAP_TRY(m.array_entries,
                        read_list<FailureDumpArrayEntry>(fv, fp, read_array_entry));
            break;
          }
          case 9: {
            SCXSNAP_TRY(m.percpu_entries,
                        read_list<FailureDumpPercpuEntry>(fv, fp, read_percpu_entry));
            break;
          }
          case 10: {
            SCXSNAP_TRY(m.percpu_hash_entries,
                        read_list<FailureDumpPercpuHashEntry>(fv, fp, read_percpu_hash_entry));
            break;
          }
          case 11: {
            SCXSNAP_TRY(auto a, read_arena(fv, fp));
            m.arena = std::move(a);
            break;
          }
          case 12: {
            SCXSNAP_TRY(auto r, read_flat(fv, fp, kRingbufFields));
            m.ringbuf = r;
            break;
          }
          case 13: {
            SCXSNAP_TRY(auto s, read_stack_trace(fv, fp));
            m.stack_trace = std::move(s);
            break;
          }
          case 14: {
            SCXSNAP_TRY(auto f, read_fd_array(fv, fp));
            m.fd_array = std::move(f);
            break;
          }
          case 15: {
            SCXSNAP_TRY(m.error, read_opt_string(fv, fp));
            break;
          }
          default: {
            SCXSNAP_TRY(m.btf_id, read_u32(fv, fp));
            break;
          }
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 3, 4, 5}));
  return m;
}

template <class T, std::size_t N>
Result<std::vector<T>> read_flat_list(od::value v, const PathNode& p,
                                      const std::array<FlatField<T>, N>& fields) {
  return read_list<T>(v, p,
                      [&](od::value e, const PathNode& ep) { return read_flat(e, ep, fields); });
}

Result<FailureDumpReport> read_report(od::value root, const PathNode& p) {
  SCXSNAP_TRY(od::object obj, read_object(root, p));
  static constexpr std::array<std::string_view, 30> kNames = {"schema",
                                                              "maps",
                                                              "vcpu_regs",
                                                              "active_obj_name",
                                                              "active_map_kvas",
                                                              "active_map_ids",
                                                              "sdt_allocations",
                                                              "scx_static_ranges",
                                                              "sdt_alloc_unavailable",
                                                              "prog_runtime_stats",
                                                              "prog_runtime_stats_unavailable",
                                                              "per_cpu_time",
                                                              "cgroup_psi",
                                                              "per_node_numa",
                                                              "per_node_numa_unavailable",
                                                              "task_enrichments",
                                                              "task_enrichments_unavailable",
                                                              "event_counter_timeline",
                                                              "rq_scx_states",
                                                              "dsq_states",
                                                              "scx_sched_state",
                                                              "scx_walker_unavailable",
                                                              "vcpu_perf_at_freeze",
                                                              "dump_truncated_at_us",
                                                              "maps_truncated",
                                                              "probe_counters",
                                                              "is_placeholder",
                                                              "capture",
                                                              "",
                                                              ""};
  FailureDumpReport r;
  KeySet ks(p);
  SCXSNAP_TRY_VOID(
      read_fields(obj, p, ks, kNames, [&](int i, od::value fv, const PathNode& fp) -> Result<void> {
        switch (i) {
          case 0: {
            SCXSNAP_TRY(r.schema, read_string(fv, fp));
            if (r.schema != kSchemaSingle)
              return json_error(
                  fp, fmt::format("report schema '{}' is not supported (expected '{}'; "
                                  "dual and degraded reports carry no map snapshot of their own)",
                                  r.schema, kSchemaSingle));
            break;
          }
          case 1: {
            SCXSNAP_TRY(r.maps, read_list<FailureDumpMap>(fv, fp, read_map));
            break;
          }
          case 2: {
            SCXSNAP_TRY(r.vcpu_regs, read_json_list(fv, fp));
            SCXSNAP_TRY_VOID(
                check_shapes(r.vcpu_regs, OpaqueShape::VcpuRegSnapshot, path_text(&fp)));
            break;
          }
          case 3: {
            SCXSNAP_TRY(r.active_obj_name, read_opt_string(fv, fp));
            break;
          }
          case 4: {
            SCXSNAP_TRY(r.active_map_kvas, read_u64_list(fv, fp));
            break;
          }
          case 5: {
            SCXSNAP_TRY(r.active_map_ids, read_u32_list(fv, fp));
            break;
          }
          case 6: {
            SCXSNAP_TRY(r.sdt_allocations, read_json_list(fv, fp));
            SCXSNAP_TRY_VOID(
                check_shapes(r.sdt_allocations, OpaqueShape::SdtAllocatorSnapshot, path_text(&fp)));
            break;
          }
          case 7: {
            SCXSNAP_TRY(auto x, read_json_value(fv, fp, 1));
            SCXSNAP_TRY_VOID(check_shape(x, OpaqueShape::ScxStaticSnapshot, path_text(&fp)));
            r.scx_static_ranges = std::move(x);
            break;
          }
          case 8: {
            SCXSNAP_TRY(r.sdt_alloc_unavailable, read_opt_string(fv, fp));
            break;
          }
          case 9: {
            SCXSNAP_TRY(r.prog_runtime_stats, read_flat_list(fv, fp, kProgFields));
            break;
          }
          case 10: {
            SCXSNAP_TRY(r.prog_runtime_stats_unavailable, read_opt_string(fv, fp));
            break;
          }
          case 11: {
            SCXSNAP_TRY(r.per_cpu_time, read_flat_list(fv, fp, kCpuTimeFields));
            // serde's [u64; 10]: exactly the ten softirq counters.
            for (std::size_t c = 0; c < r.per_cpu_time.size(); ++c)
              if (r.per_cpu_time[c].softirqs.size() != kNrSoftirqs)
                return json_error(fp.at(c).child("softirqs"),
                                  fmt::format("expected an array of length {}, found {}",
                                              kNrSoftirqs, r.per_cpu_time[c].softirqs.size()));
            break;
          }
          case 12: {
            SCXSNAP_TRY(r.cgroup_psi, read_flat_list(fv, fp, kPsiFields));
            break;
          }
          case 13: {
            SCXSNAP_TRY(r.per_node_numa, read_flat_list(fv, fp, kNumaFields));
            break;
          }
          case 14: {
            SCXSNAP_TRY(r.per_node_numa_unavailable, read_opt_string(fv, fp));
            break;
          }
          case 15: {
            SCXSNAP_TRY(r.task_enrichments, read_list<TaskEnrichment>(fv, fp, read_task));
            break;
          }
          case 16: {
            SCXSNAP_TRY(r.task_enrichments_unavailable, read_opt_string(fv, fp));
            break;
          }
          case 17: {
            SCXSNAP_TRY(r.event_counter_timeline, read_flat_list(fv, fp, kEventFields));
            break;
          }
          case 18: {
            SCXSNAP_TRY(r.rq_scx_states, read_flat_list(fv, fp, kRqFields));
            break;
          }
          case 19: {
            SCXSNAP_TRY(r.dsq_states, read_flat_list(fv, fp, kDsqFields));
            break;
          }
          case 20: {
            bool null = false;
            if (!fv.is_null().get(null) && null) break;
            SCXSNAP_TRY(auto s, read_flat(fv, fp, kSchedFields));
            r.scx_sched_state = std::move(s);
            break;
          }
          case 21: {
            SCXSNAP_TRY(r.scx_walker_unavailable, read_opt_string(fv, fp));
            break;
          }
          case 22: {
            SCXSNAP_TRY(r.vcpu_perf_at_freeze, read_json_list(fv, fp));
            SCXSNAP_TRY_VOID(
                check_shapes(r.vcpu_perf_at_freeze, OpaqueShape::VcpuPerfSample, path_text(&fp)));
            break;
          }
          case 23: {
            bool null = false;
            if (!fv.is_null().get(null) && null) break;
            SCXSNAP_TRY(std::uint64_t x, read_u64(fv, fp));
            r.dump_truncated_at_us = x;
            break;
          }
          case 24: {
            SCXSNAP_TRY(r.maps_truncated, read_u32(fv, fp));
            break;
          }
          case 25: {
            bool null = false;
            if (!fv.is_null().get(null) && null) break;
            SCXSNAP_TRY(auto c, read_flat(fv, fp, kProbeFields));
            r.probe_counters = c;
            break;
          }
          case 26: {
            SCXSNAP_TRY(r.is_placeholder, read_bool(fv, fp));
            break;
          }
          case 27: {
            bool null = false;
            if (!fv.is_null().get(null) && null) break;
            SCXSNAP_TRY(auto c, read_flat(fv, fp, kCaptureFields));
            r.capture = std::move(c);
            break;
          }
          default:
            break;
        }
        return {};
      }));
  SCXSNAP_TRY_VOID(require_all(ks, kNames, {0, 1}));
  return r;
}

// Runs `fn(root_value, root_path)` over a padded document; maps stage-1 and
// trailing-content failures to errors.
template <class T, class Fn>
Result<T> with_document(simdjson::padded_string_view text, Fn&& fn) {
  NameScope names;
  thread_local od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(text).get(doc))
    return stage1_error(std::string_view(text.data(), text.length()), err);
  PathNode root;
  od::value v;
  if (auto err = doc.get_value().get(v)) {
    if (err == simdjson::SCALAR_DOCUMENT_AS_VALUE)
      return json_error(root, "expected an object, found a scalar");
    if (err == simdjson::UTF8_ERROR || err == simdjson::UNCLOSED_STRING || err == simdjson::EMPTY)
      return stage1_error(std::string_view(text.data(), text.length()), err);
    return json_error(root, err);
  }
  Result<T> r = fn(v, root);
  if (!r) {
    // A document cut short confuses token-level errors ("non-integer number");
    // say what happened instead.
    if (std::size_t open = unclosed_depth(std::string_view(text.data(), text.length())); open > 0)
      return Error(
          ErrorCode::BadInput,
          fmt::format("{} (the input ends with {} object(s)/array(s) still open: truncated?)",
                      r.error().message(), open));
    // A stage-1 problem can surface late; prefer its clearer message.
    if (!simdjson::validate_utf8(text.data(), text.length()))
      return stage1_error(std::string_view(text.data(), text.length()), simdjson::UTF8_ERROR);
    return r;
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when the whole input was consumed.
  if (const char* loc = nullptr; !doc.current_location().get(loc)) {
    std::size_t off = static_cast<std::size_t>(loc - text.data());
    return Error(ErrorCode::BadInput,
                 fmt::format("trailing content after the JSON document at byte offset {}", off));
  }
  return r;
}

// ---- streaming load of large files ------------------------------------------------
// A whole-document parse holds the file, simdjson's structural index (about
// as large again for dense JSON) and the model at once. For large files the
// reader instead parses a skeleton (every big array emptied) and then the
// map entry arrays in chunks of a few MB, releasing consumed input as it
// goes. Any problem makes the caller fall back to the whole-document parse,
// which produces the precise error.

// A byte class table for the scanner: which bytes matter when skipping a value.
enum : std::uint8_t { kPlain = 0, kQuote = 1, kOpen = 2, kClose = 3 };
constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> c{};
  c['"'] = kQuote;
  c['{'] = kOpen;
  c['['] = kOpen;
  c['}'] = kClose;
  c[']'] = kClose;
  return c;
}
constexpr std::array<std::uint8_t, 256> kClass = make_classes();

// Index just past the string starting at `i` ('"').
std::optional<std::size_t> string_end(std::string_view t, std::size_t i) {
  const char* p = t.data() + i + 1;
  const char* end = t.data() + t.size();
  while (true) {
    const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
    if (!q) return std::nullopt;
    const char* quote = static_cast<const char*>(q);
    std::size_t slashes = 0;  // an odd run of backslashes escapes the quote
    for (const char* b = quote - 1; b > t.data() + i && *b == '\\'; --b) ++slashes;
    if (slashes % 2 == 0) return static_cast<std::size_t>(quote - t.data()) + 1;
    p = quote + 1;
  }
}

// Index just past the JSON value starting at `i` (strings and nesting aware).
std::optional<std::size_t> value_end(std::string_view t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  char c = t[i];
  if (c == '"') return string_end(t, i);
  if (c == '{' || c == '[') {
    std::size_t depth = 0;
    for (std::size_t k = i; k < t.size(); ++k) {
      switch (kClass[static_cast<unsigned char>(t[k])]) {
        case kQuote: {
          auto e = string_end(t, k);
          if (!e) return std::nullopt;
          k = *e - 1;
          break;
        }
        case kOpen:
          ++depth;
          break;
        case kClose:
          if (--depth == 0) return k + 1;
          break;
        default:
          break;
      }
    }
    return std::nullopt;
  }
  std::size_t k = i;
  while (k < t.size() && t[k] != ',' && t[k] != '}' && t[k] != ']' &&
         !std::isspace(static_cast<unsigned char>(t[k])))
    ++k;
  return k;
}

std::size_t skip_ws(std::string_view t, std::size_t i) {
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  return i;
}

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

// Element ranges of the array starting at `i` ('['); `end` gets the index past ']'.
std::optional<Ranges> array_elements(std::string_view t, std::size_t i,
                                     std::size_t* end = nullptr) {
  Ranges out;
  if (i >= t.size() || t[i] != '[') return std::nullopt;
  i = skip_ws(t, i + 1);
  if (i < t.size() && t[i] == ']') {
    if (end) *end = i + 1;
    return out;
  }
  while (true) {
    auto e = value_end(t, i);
    if (!e) return std::nullopt;
    out.emplace_back(i, *e);
    i = skip_ws(t, *e);
    if (i < t.size() && t[i] == ',') {
      i = skip_ws(t, i + 1);
      continue;
    }
    if (i < t.size() && t[i] == ']') {
      if (end) *end = i + 1;
      return out;
    }
    return std::nullopt;
  }
}

struct Member {
  std::string_view key;  // raw (escapes not decoded)
  std::size_t value_begin, value_end;
  std::optional<Ranges> elements;  // for the array members asked for: their elements
};

// Members of the object starting at `i` ('{'); array members named in
// `split` are walked element by element (one pass) instead of skipped.
std::optional<std::vector<Member>> object_members(std::string_view t, std::size_t i,
                                                  std::span<const std::string_view> split) {
  std::vector<Member> out;
  i = skip_ws(t, i);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  i = skip_ws(t, i + 1);
  if (i < t.size() && t[i] == '}') return out;
  while (true) {
    if (i >= t.size() || t[i] != '"') return std::nullopt;
    auto ke = string_end(t, i);
    if (!ke) return std::nullopt;
    std::string_view key = t.substr(i + 1, *ke - i - 2);
    i = skip_ws(t, *ke);
    if (i >= t.size() || t[i] != ':') return std::nullopt;
    i = skip_ws(t, i + 1);
    Member m{key, i, 0, std::nullopt};
    if (i < t.size() && t[i] == '[' && std::find(split.begin(), split.end(), key) != split.end()) {
      std::size_t e = 0;
      m.elements = array_elements(t, i, &e);
      if (!m.elements) return std::nullopt;
      m.value_end = e;
    } else {
      auto ve = value_end(t, i);
      if (!ve) return std::nullopt;
      m.value_end = *ve;
    }
    i = skip_ws(t, m.value_end);
    out.push_back(std::move(m));
    if (i < t.size() && t[i] == ',') {
      i = skip_ws(t, i + 1);
      continue;
    }
    if (i < t.size() && t[i] == '}') return out;
    return std::nullopt;
  }
}

// One reusable padded buffer for the chunks.
struct ChunkBuffer {
  simdjson::padded_string buf;
  std::size_t len = 0;
  void set(std::string_view prefix, std::string_view body, std::string_view suffix) {
    std::size_t n = prefix.size() + body.size() + suffix.size();
    if (buf.size() < n) buf = simdjson::padded_string(std::max(n, buf.size() * 2));
    std::memcpy(buf.data(), prefix.data(), prefix.size());
    std::memcpy(buf.data() + prefix.size(), body.data(), body.size());
    std::memcpy(buf.data() + prefix.size() + body.size(), suffix.data(), suffix.size());
    len = n;
  }
  simdjson::padded_string_view view() const {
    return simdjson::padded_string_view(buf.data(), len, buf.size() + simdjson::SIMDJSON_PADDING);
  }
};

template <class T, class ReadOne>
bool parse_chunked(std::string_view t, const Ranges& elems, ReadOne&& one, std::vector<T>& out,
                   ChunkBuffer& cb, const std::function<void(std::size_t)>& consumed) {
  constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
  out.reserve(elems.size());
  for (std::size_t a = 0; a < elems.size();) {
    std::size_t b = a;
    while (b < elems.size() && elems[b].second - elems[a].first < kChunkBytes) ++b;
    if (b == a) ++b;  // one element larger than a chunk
    cb.set("[", t.substr(elems[a].first, elems[b - 1].second - elems[a].first), "]");
    auto r = with_document<std::vector<T>>(
        cb.view(), [&](od::value v, const PathNode& p) { return read_list<T>(v, p, one); });
    if (!r) return false;
    for (auto& x : *r) out.push_back(std::move(x));
    consumed(elems[b - 1].second);
    a = b;
  }
  return true;
}

// A rendered value too large to parse as one document (simdjson's index
// takes several bytes per structural character, and one document stops at
// 4 GiB): its small fields are read strictly from a skeleton whose big
// arrays are emptied and whose nested values are stubbed, and the arrays and
// nested values are read the same way, recursively.
Result<RenderedValue> read_value_piecewise(std::string_view t, std::size_t b, std::size_t e,
                                           std::size_t threshold,
                                           const std::function<void(std::size_t)>& consumed,
                                           int depth) {
  auto whole = [&]() -> Result<RenderedValue> {
    auto v = parse_rendered_value(t.substr(b, e - b));
    if (!v) return v.error().with_context(fmt::format("the value at byte offset {}", b));
    return v;
  };
  if (e - b <= threshold || depth > 64) return whole();
  static constexpr std::array<std::string_view, 2> kSplit = {"members", "elements"};
  auto mem = object_members(t, b, kSplit);
  if (!mem) return whole();  // malformed: the whole-document reader says where
  constexpr std::string_view kStub = R"({"kind":"bytes","hex":""})";
  std::string skel;
  std::size_t at = b;
  const Member *items = nullptr, *nested = nullptr;
  for (const auto& m : *mem) {
    const bool array = m.elements && (m.key == "members" || m.key == "elements");
    const bool object = (m.key == "partial" || m.key == "deref") && t[m.value_begin] == '{';
    if (!array && !object) continue;
    skel.append(t.substr(at, m.value_begin - at));
    skel += array ? std::string_view("[]") : kStub;
    at = m.value_end;
    (array ? items : nested) = &m;
  }
  skel.append(t.substr(at, e - at));
  auto shape = parse_rendered_value(skel);
  if (!shape) return whole();
  auto sub = [&](std::size_t vb, std::size_t ve) {
    return read_value_piecewise(t, vb, ve, threshold, consumed, depth + 1);
  };
  switch (shape->kind()) {
    case ValueKind::Struct: {
      std::vector<RenderedMember> members;
      if (items) {
        members.reserve(items->elements->size());
        for (const auto& [mb, me] : *items->elements) {
          auto kv = object_members(t, mb, {});
          if (!kv || kv->size() != 2 || (*kv)[0].key != "name" || (*kv)[1].key != "value")
            return Error(ErrorCode::BadInput,
                         fmt::format("struct member at byte offset {}: expected {{\"name\": …, "
                                     "\"value\": …}}",
                                     mb));
          SCXSNAP_TRY(JsonValue name,
                      parse_json(t.substr((*kv)[0].value_begin,
                                          (*kv)[0].value_end - (*kv)[0].value_begin)));
          if (!name.is_string())
            return Error(ErrorCode::BadInput,
                         fmt::format("struct member name at byte offset {} is not a string", mb));
          SCXSNAP_TRY(RenderedValue v, sub((*kv)[1].value_begin, (*kv)[1].value_end));
          members.emplace_back(read_name(name.text()), std::move(v));
          consumed(me);
        }
      }
      return RenderedValue::make_struct(shape->type_name(), std::move(members));
    }
    case ValueKind::Array: {
      std::vector<RenderedValue> elems;
      if (items) {
        elems.reserve(items->elements->size());
        for (const auto& [vb, ve] : *items->elements) {
          SCXSNAP_TRY(RenderedValue v, sub(vb, ve));
          elems.push_back(std::move(v));
          consumed(ve);
        }
      }
      return RenderedValue::make_array(shape->array_len(), std::move(elems));
    }
    case ValueKind::Truncated: {
      if (!nested) return std::move(*shape);
      SCXSNAP_TRY(RenderedValue partial, sub(nested->value_begin, nested->value_end));
      return RenderedValue::make_truncated(shape->needed(), shape->had(), std::move(partial));
    }
    case ValueKind::Ptr: {
      if (!nested) return std::move(*shape);
      SCXSNAP_TRY(RenderedValue target, sub(nested->value_begin, nested->value_end));
      auto opt = [](const std::string* p) {
        return p ? std::optional<std::string>(*p) : std::nullopt;
      };
      return RenderedValue::make_ptr(shape->uint_value(), std::move(target),
                                     opt(shape->deref_skipped_reason()),
                                     opt(shape->cast_annotation()));
    }
    default:
      return std::move(*shape);
  }
}

}  // namespace

std::size_t g_piecewise_value_threshold = std::size_t{256} << 20;

std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view t, const std::function<void(std::size_t)>& consumed, std::string* why) {
  FloatStyleProbe floats;
  NameScope names;
  static constexpr std::array<std::string_view, 1> kMaps = {"maps"};
  auto top = object_members(t, skip_ws(t, 0), kMaps);
  if (!top) return std::nullopt;
  const Member* maps = nullptr;
  for (const auto& m : *top)
    if (m.key == "maps" && m.elements) maps = &m;
  if (!maps) return std::nullopt;
  // The report without its maps.
  std::string skeleton(t.substr(0, maps->value_begin));
  skeleton += "[]";
  skeleton.append(t.substr(maps->value_end));
  auto report = parse_report(skeleton);
  if (!report) return std::nullopt;
  std::string().swap(skeleton);
  static constexpr std::array<std::string_view, 4> kBig = {"entries", "array_entries",
                                                           "percpu_entries", "percpu_hash_entries"};
  ChunkBuffer cb;
  for (const auto& [mb, me] : *maps->elements) {
    auto members = object_members(t, mb, kBig);
    if (!members) return std::nullopt;
    std::string map_text;
    std::size_t at = mb;
    for (const auto& m : *members)
      if (m.elements) {
        map_text.append(t.substr(at, m.value_begin - at));
        map_text += "[]";
        at = m.value_end;
      }
    map_text.append(t.substr(at, me - at));
    // A map whose own text (its entry arrays aside) is large holds a large
    // `value`: that is read piecewise, the rest of the map as one document.
    std::optional<std::pair<std::size_t, std::size_t>> big_value;
    if (map_text.size() > g_piecewise_value_threshold) {
      static constexpr std::array<std::string_view, 0> kNone = {};
      auto all = object_members(t, mb, kNone);
      if (!all) return std::nullopt;
      map_text.clear();
      at = mb;
      for (const auto& m : *all) {
        const bool entries =
            std::find(kBig.begin(), kBig.end(), m.key) != kBig.end() && t[m.value_begin] == '[';
        if (!entries && !(m.key == "value" && t[m.value_begin] == '{')) continue;
        map_text.append(t.substr(at, m.value_begin - at));
        map_text += entries ? "[]" : "null";
        at = m.value_end;
        if (!entries) big_value.emplace(m.value_begin, m.value_end);
      }
      map_text.append(t.substr(at, me - at));
    }
    if (map_text.size() >= simdjson::SIMDJSON_MAXSIZE_BYTES) {
      // One document per map (its entry arrays and value aside): simdjson's limit.
      if (why)
        *why = fmt::format(
            "map {} (at byte offset {}) holds {} bytes of JSON outside its entry arrays and its "
            "value; one JSON document cannot exceed 4 GiB",
            report->maps.size(), mb, map_text.size());
      return std::nullopt;
    }
    cb.set("", map_text, "");
    auto map = with_document<FailureDumpMap>(cb.view(), read_map);
    if (!map) return std::nullopt;
    if (big_value) {
      auto v = read_value_piecewise(t, big_value->first, big_value->second,
                                    g_piecewise_value_threshold, consumed, 0);
      if (!v) {
        if (why) *why = fmt::format("map {}: {}", report->maps.size(), v.error().message());
        return std::nullopt;
      }
      map->value = std::move(*v);
    }
    for (const auto& m : *members) {
      if (!m.elements) continue;
      const Ranges& el = *m.elements;
      bool ok = m.key == "entries" ? parse_chunked<FailureDumpEntry>(t, el, read_hash_entry,
                                                                     map->entries, cb, consumed)
                : m.key == "array_entries"
                    ? parse_chunked<FailureDumpArrayEntry>(t, el, read_array_entry,
                                                           map->array_entries, cb, consumed)
                : m.key == "percpu_entries"
                    ? parse_chunked<FailureDumpPercpuEntry>(t, el, read_percpu_entry,
                                                            map->percpu_entries, cb, consumed)
                    : parse_chunked<FailureDumpPercpuHashEntry>(
                          t, el, read_percpu_hash_entry, map->percpu_hash_entries, cb, consumed);
      if (!ok) return std::nullopt;
    }
    report->maps.push_back(std::move(*map));
    consumed(me);
  }
  report->float_style = floats.style();
  return std::move(*report);
}

Result<FailureDumpReport> read_report_value(od::value v, const PathNode& p) {
  return read_report(v, p);
}

// The schema first (a scan of the top-level keys; ktstr writes it first),
// then the reader of that kind over the whole document.
Result<FailureDumpFile> parse_dump_file_padded(simdjson::padded_string_view text) {
  std::string schema;
  {
    thread_local od::parser parser;
    od::document doc;
    od::object obj;
    std::string_view s;
    if (!parser.iterate(text).get(doc) && !doc.get_object().get(obj) &&
        !obj.find_field_unordered("schema").get_string().get(s))
      schema = std::string(s);
  }
  if (schema != kSchemaDual && schema != kSchemaDegraded) {
    SCXSNAP_TRY(FailureDumpReport r, parse_report_padded(text));
    return FailureDumpFile(std::move(r));
  }
  FloatStyleProbe floats;
  auto r = with_document<FailureDumpFile>(
      text, [&](od::value v, const PathNode& p) { return read_dump_value(v, p, schema); });
  if (r) {
    if (auto* d = std::get_if<DegradedFailureDumpReport>(&*r)) d->float_style = floats.style();
    if (auto* d = std::get_if<DualFailureDumpReport>(&*r)) {
      d->late.float_style = floats.style();
      if (d->early) d->early->float_style = floats.style();
    }
  }
  return r;
}

Result<FailureDumpReport> parse_report_padded(simdjson::padded_string_view text) {
  FloatStyleProbe floats;
  auto r = with_document<FailureDumpReport>(text, read_report);
  if (r) r->float_style = floats.style();
  return r;
}

}  // namespace detail

Result<FailureDumpReport> parse_report(std::string_view json) {
  return detail::guarded("reading a report", [&]() -> Result<FailureDumpReport> {
    simdjson::padded_string buf(json);
    return detail::parse_report_padded(buf);
  });
}

Result<RenderedValue> parse_rendered_value(std::string_view json) {
  return detail::guarded("reading a rendered value", [&]() -> Result<RenderedValue> {
    simdjson::padded_string buf(json);
    return detail::with_document<RenderedValue>(buf,
                                                [](detail::od::value v, const detail::PathNode& p) {
                                                  return detail::read_rendered(v, p, 0);
                                                });
  });
}

namespace {
// A document that is a lone scalar ("42", "null"): On-Demand reads it through
// the document itself, not as a value.
Result<JsonValue> parse_scalar_document(simdjson::padded_string_view text) {
  thread_local detail::od::parser parser;
  detail::od::document doc;
  if (auto err = parser.iterate(text).get(doc))
    return detail::stage1_error(std::string_view(text.data(), text.length()), err);
  detail::PathNode root;
  detail::od::json_type t;
  if (auto err = doc.type().get(t)) return detail::json_error(root, err);
  JsonValue out;
  switch (t) {
    case detail::od::json_type::null: {
      bool n = false;
      if (doc.is_null().get(n) || !n) return detail::json_error(root, "malformed literal");
      break;
    }
    case detail::od::json_type::boolean: {
      bool b = false;
      if (auto err = doc.get_bool().get(b)) return detail::json_error(root, err);
      out = JsonValue::boolean(b);
      break;
    }
    case detail::od::json_type::number: {
      detail::od::number n;
      if (auto err = doc.get_number().get(n)) return detail::json_error(root, err);
      std::string_view tok;
      if (auto err = doc.raw_json_token().get(tok)) return detail::json_error(root, err);
      while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back())))
        tok.remove_suffix(1);
      out = JsonValue::number_text(std::string(tok));
      break;
    }
    case detail::od::json_type::string: {
      std::string_view sv;
      if (auto err = doc.get_string().get(sv)) return detail::json_error(root, err);
      out = JsonValue::string(std::string(sv));
      break;
    }
    default:
      return detail::json_error(root, "unexpected document type");
  }
  if (const char* loc = nullptr; !doc.current_location().get(loc))
    return Error(ErrorCode::BadInput, "trailing content after the JSON document");
  return out;
}
}  // namespace

Result<JsonValue> parse_json(std::string_view text) {
  return detail::guarded("reading JSON", [&]() -> Result<JsonValue> {
    simdjson::padded_string buf(text);
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] != '{' && text[i] != '[') return parse_scalar_document(buf);
    return detail::with_document<JsonValue>(buf,
                                            [](detail::od::value v, const detail::PathNode& p) {
                                              return detail::read_json_value(v, p, 0);
                                            });
  });
}

}  // namespace scxsnap
