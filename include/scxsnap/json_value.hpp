// SPDX-License-Identifier: Apache-2.0
// JsonValue: a small owning JSON tree for the parts of a report that no
// accessor reads inside (vcpu_regs, sdt_allocations, ...) and for scheduler
// stats documents. Numbers keep their source text so that they are written
// back byte for byte and u64 values never pass through a double.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scxsnap {

/// How a float with a non-negative exponent is written: serde_json 1.0.147+
/// (zmij, what ktstr pins today) writes "1e+16", 1.0.146 and older (ryu)
/// "1e16". Everything else about float text is the same in both.
enum class FloatStyle : std::uint8_t { Zmij, Ryu };

class SCXSNAP_API JsonValue {
 public:
  enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
  using Member = std::pair<std::string, JsonValue>;

  // null; user-provided, so clang can tell it is default-constructible while
  // the class (whose members hold JsonValues) is still being defined
  JsonValue() noexcept {}  // NOLINT(modernize-use-equals-default)
  static JsonValue null() { return JsonValue(); }
  static JsonValue boolean(bool b);
  /// `text` must be a valid JSON number token (e.g. "42", "-1.5e3").
  static JsonValue number_text(std::string text);
  static JsonValue number(std::uint64_t v);
  static JsonValue number(std::int64_t v);
  static JsonValue number(double v);  // NaN/inf become null, as serde_json writes them
  static JsonValue string(std::string s);
  static JsonValue array(std::vector<JsonValue> items = {});
  static JsonValue object(std::vector<Member> members = {});

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool bool_value() const { return bool_; }
  /// Number token text or string contents.
  const std::string& text() const { return text_; }
  const std::vector<JsonValue>& items() const { return items_; }
  std::vector<JsonValue>& items() { return items_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }

  /// First member named `key` of an object; nullptr otherwise.
  const JsonValue* find(std::string_view key) const;

  /// Numeric views of a Number. Exact for integers; nullopt when the token
  /// does not fit (e.g. negative for u64, fractional for integers).
  std::optional<std::uint64_t> as_u64() const;
  std::optional<std::int64_t> as_i64() const;
  std::optional<double> as_f64() const;
  /// True when the number token has no fraction or exponent.
  bool is_integer_token() const;

  /// Kind name as used in error messages: Null, Bool, Number, String, Array, Object.
  std::string_view type_name() const;

  friend SCXSNAP_API bool operator==(const JsonValue& a, const JsonValue& b);

 private:
  Type type_ = Type::Null;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

/// Parse one JSON document into a JsonValue (depth limited).
SCXSNAP_API Result<JsonValue> parse_json(std::string_view text);
/// Compact (serde_json style) or 2-space indented text.
SCXSNAP_API std::string to_json_text(const JsonValue& v, bool pretty = false);

}  // namespace scxsnap
