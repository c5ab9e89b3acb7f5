// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/json_value.hpp"

#include "json_writer.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace scxsnap {

JsonValue JsonValue::boolean(bool b) {
  JsonValue v;
  v.type_ = Type::Bool;
  v.bool_ = b;
  return v;
}
JsonValue JsonValue::number_text(std::string text) {
  JsonValue v;
  v.type_ = Type::Number;
  v.text_ = std::move(text);
  return v;
}
JsonValue JsonValue::number(std::uint64_t x) {
  return number_text(std::to_string(x));
}
JsonValue JsonValue::number(std::int64_t x) {
  return number_text(std::to_string(x));
}
JsonValue JsonValue::number(double x) {
  if (!std::isfinite(x)) return null();
  std::string s;
  detail::append_f64(s, x);
  return number_text(std::move(s));
}
JsonValue JsonValue::string(std::string s) {
  JsonValue v;
  v.type_ = Type::String;
  v.text_ = std::move(s);
  return v;
}
JsonValue JsonValue::array(std::vector<JsonValue> items) {
  JsonValue v;
  v.type_ = Type::Array;
  v.items_ = std::move(items);
  return v;
}
JsonValue JsonValue::object(std::vector<Member> members) {
  JsonValue v;
  v.type_ = Type::Object;
  v.members_ = std::move(members);
  return v;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (type_ != Type::Object) return nullptr;
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

bool JsonValue::is_integer_token() const {
  return type_ == Type::Number && text_.find_first_of(".eE") == std::string::npos;
}

std::optional<std::uint64_t> JsonValue::as_u64() const {
  if (!is_integer_token()) return std::nullopt;
  std::uint64_t x;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), x);
  if (r.ec != std::errc() || r.ptr != text_.data() + text_.size()) return std::nullopt;
  return x;
}

std::optional<std::int64_t> JsonValue::as_i64() const {
  if (!is_integer_token()) return std::nullopt;
  std::int64_t x;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), x);
  if (r.ec != std::errc() || r.ptr != text_.data() + text_.size()) return std::nullopt;
  return x;
}

std::optional<double> JsonValue::as_f64() const {
  if (type_ != Type::Number) return std::nullopt;
  double x;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), x);
  if (r.ec != std::errc() && r.ec != std::errc::result_out_of_range) return std::nullopt;
  return x;
}

std::string_view JsonValue::type_name() const {
  switch (type_) {
    case Type::Null:
      return "Null";
    case Type::Bool:
      return "Bool";
    case Type::Number:
      return "Number";
    case Type::String:
      return "String";
    case Type::Array:
      return "Array";
    case Type::Object:
      return "Object";
  }
  return "Null";
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case JsonValue::Type::Null:
      return true;
    case JsonValue::Type::Bool:
      return a.bool_ == b.bool_;
    case JsonValue::Type::Number:
    case JsonValue::Type::String:
      return a.text_ == b.text_;
    case JsonValue::Type::Array:
      return a.items_ == b.items_;
    case JsonValue::Type::Object:
      return a.members_ == b.members_;
  }
  return false;
}

}  // namespace scxsnap
