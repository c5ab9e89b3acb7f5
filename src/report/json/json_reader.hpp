// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the simdjson-based readers: the JSON path carried down the
// recursion (built into text only when an error is reported), typed scalar
// reads that say what was expected and what was found, and object iteration.
#pragma once

#include "scxsnap/json_value.hpp"
#include "scxsnap/rendered_value.hpp"
#include "scxsnap/result.hpp"

#include <array>
#include <bitset>
#include <cstdint>
#include <fmt/format.h>
#include <initializer_list>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace scxsnap::detail {

namespace od = simdjson::ondemand;

inline constexpr int kMaxJsonDepth = 256;

/// A link in the JSON path: a key or an array index under `parent`.
struct PathNode {
  const PathNode* parent = nullptr;
  std::string_view key;
  std::size_t index = 0;
  bool is_index = false;

  PathNode child(std::string_view k) const { return PathNode{this, k, 0, false}; }
  PathNode at(std::size_t i) const { return PathNode{this, {}, i, true}; }
};

/// "maps[3].entries[10].value.kind"; "(top level)" for the root.
std::string path_text(const PathNode* p);
Error json_error(const PathNode& p, std::string_view what);
/// Error for a simdjson failure at `p`, with wording for the common codes.
Error json_error(const PathNode& p, simdjson::error_code code);

Result<std::uint64_t> read_u64(od::value v, const PathNode& p);
Result<std::uint32_t> read_u32(od::value v, const PathNode& p);
Result<std::int64_t> read_i64(od::value v, const PathNode& p);
Result<std::int32_t> read_i32(od::value v, const PathNode& p);
Result<bool> read_bool(od::value v, const PathNode& p);
/// A float: a number (null is refused, as serde refuses it for an f64,
/// though it writes NaN and infinities as null). Notes the float's style.
Result<double> read_f64(od::value v, const PathNode& p);

/// While alive, records whether a float read on this thread was written in
/// serde_json's older style ("1e16" rather than "1e+16"); scopes nest (an
/// inner scope's finding reaches the outer one).
class FloatStyleProbe {
 public:
  FloatStyleProbe();
  ~FloatStyleProbe();
  FloatStyleProbe(const FloatStyleProbe&) = delete;
  FloatStyleProbe& operator=(const FloatStyleProbe&) = delete;
  FloatStyle style() const;

 private:
  bool outer_;
};
/// Tells this thread's innermost FloatStyleProbe of a float read elsewhere
/// (a worker thread's part of the same document).
void note_float_style(FloatStyle style);
/// Names read while one is alive (and no outer one is) share storage: a
/// report's million struct values hold one copy of each member name. The
/// table dies with the scope; the names live on in the values.
class NameScope {
 public:
  NameScope();
  ~NameScope();
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;
};
/// `s` as a SharedName, deduplicated through the innermost NameScope.
SharedName read_name(std::string_view s);
Result<std::string> read_string(od::value v, const PathNode& p);
Result<od::object> read_object(od::value v, const PathNode& p);
Result<od::array> read_array(od::value v, const PathNode& p);
Result<JsonValue> read_json_value(od::value v, const PathNode& p, int depth);

/// Iterate an object's fields: fn(key, value, child_path) -> Result<void>.
template <class Fn>
Result<void> for_each_field(od::object obj, const PathNode& p, Fn&& fn) {
  for (auto field : obj) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return json_error(p, err);
    PathNode cp = p.child(key);
    od::value v;
    if (auto err = field.value().get(v)) return json_error(cp, err);
    Result<void> r = fn(key, v, cp);
    if (!r) return r;
  }
  return {};
}

/// Iterate an array's elements: fn(value, child_path) -> Result<void>.
template <class Fn>
Result<void> for_each_element(od::array arr, const PathNode& p, Fn&& fn) {
  std::size_t i = 0;
  for (auto elem : arr) {
    PathNode cp = p.at(i++);
    od::value v;
    if (auto err = elem.get(v)) return json_error(cp, err);
    Result<void> r = fn(v, cp);
    if (!r) return r;
  }
  return {};
}

/// Parse `text` (copied into a padded buffer) and hand the root to fn.
/// Stage-1 failures (bad UTF-8, unclosed strings) are reported with a byte offset.
/// How many objects/arrays are still open at the end of `text` (0 when balanced).
std::size_t unclosed_depth(std::string_view text);
Error stage1_error(std::string_view text, simdjson::error_code code);

// Tracks which known keys an object had: duplicates and missing required keys.
class KeySet {
 public:
  explicit KeySet(const PathNode& p) : p_(p) {}
  Result<void> see(int bit, std::string_view key) {
    if (seen_.test(static_cast<std::size_t>(bit)))
      return json_error(p_, fmt::format("duplicate field `{}`", key));
    seen_.set(static_cast<std::size_t>(bit));
    return {};
  }
  bool has(int bit) const { return seen_.test(static_cast<std::size_t>(bit)); }
  Result<void> require(int bit, std::string_view key) const {
    if (!has(bit)) return json_error(p_, fmt::format("missing field `{}`", key));
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

}  // namespace scxsnap::detail
