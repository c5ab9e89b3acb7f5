// SPDX-License-Identifier: Apache-2.0
// JsonField and stats_path: the scheduler-stats JSON surface (spec §3.6),
// with serde_json's number model (u64, i64 or f64).
#include "scxsnap/snapshot.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace scxsnap {
namespace {

SnapshotError json_mismatch(std::string_view expected, std::string_view actual) {
  return errors::TypeMismatch{std::string(expected), std::string(actual), ""};
}

// serde_json's view of a number token.
struct Num {
  enum { PosInt, NegInt, Float } kind;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
};

Num classify(const JsonValue& v) {
  if (auto u = v.as_u64()) return Num{Num::PosInt, *u, 0, 0};
  if (auto i = v.as_i64()) return Num{Num::NegInt, 0, *i, 0};
  return Num{Num::Float, 0, 0, v.as_f64().value_or(std::nan(""))};
}

template <class T>
std::optional<T> parse_text(const std::string& s) {
  T x;
  auto r = std::from_chars(s.data(), s.data() + s.size(), x);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return x;
}

SnapshotResult<std::uint64_t> to_u64(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::Number: {
      Num n = classify(v);
      if (n.kind == Num::PosInt) return n.u;
      if (n.kind == Num::NegInt) return json_mismatch("u64", "Int(negative)");
      if (!std::isfinite(n.f) || n.f < 0) return json_mismatch("u64", "Float(non-coercible)");
      if (n.f != std::trunc(n.f)) return json_mismatch("integer", "non-integer float");
      if (n.f >= 18446744073709551616.0) return std::numeric_limits<std::uint64_t>::max();
      return static_cast<std::uint64_t>(n.f);
    }
    case JsonValue::Type::Bool:
      return std::uint64_t{v.bool_value() ? 1u : 0u};
    case JsonValue::Type::String:
      if (auto x = parse_text<std::uint64_t>(v.text())) return *x;
      return json_mismatch("u64", "String(non-numeric)");
    default:
      return json_mismatch("u64", v.type_name());
  }
}

SnapshotResult<std::int64_t> to_i64(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::Number: {
      Num n = classify(v);
      if (n.kind == Num::NegInt) return n.i;
      if (n.kind == Num::PosInt) {
        if (n.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return json_mismatch("i64", "Uint(>i64::MAX)");
        return static_cast<std::int64_t>(n.u);
      }
      if (!std::isfinite(n.f)) return json_mismatch("i64", "Float(non-finite)");
      if (n.f != std::trunc(n.f)) return json_mismatch("integer", "non-integer float");
      if (n.f >= 9223372036854775808.0) return std::numeric_limits<std::int64_t>::max();
      if (n.f < -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
      return static_cast<std::int64_t>(n.f);
    }
    case JsonValue::Type::Bool:
      return std::int64_t{v.bool_value() ? 1 : 0};
    case JsonValue::Type::String:
      if (auto x = parse_text<std::int64_t>(v.text())) return *x;
      return json_mismatch("i64", "String(non-numeric)");
    default:
      return json_mismatch("i64", v.type_name());
  }
}

SnapshotResult<double> to_f64(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::Number:
      return v.as_f64().value_or(std::nan(""));
    case JsonValue::Type::String:
      if (auto x = parse_text<double>(v.text())) return *x;
      return json_mismatch("f64", "String(non-numeric)");
    default:
      return json_mismatch("f64", v.type_name());
  }
}

SnapshotResult<bool> to_bool(const JsonValue& v) {
  if (v.is_bool()) return v.bool_value();
  return json_mismatch("bool", v.type_name());
}

template <class T, class Conv>
SnapshotResult<std::vector<T>> json_array(const JsonField& f, std::string_view expected,
                                          Conv&& conv) {
  if (const SnapshotError* e = f.error()) return *e;
  const JsonValue& v = *f.raw();
  if (!v.is_array()) return json_mismatch(expected, v.type_name());
  std::vector<T> out;
  out.reserve(v.items().size());
  for (const auto& el : v.items()) {
    auto x = conv(el);
    if (!x) return x.error();
    out.push_back(*x);
  }
  return out;
}

}  // namespace

JsonField JsonField::missing(SnapshotError e) {
  JsonField f;
  f.error_ = std::move(e);
  return f;
}

JsonField stats_path(const JsonValue& root, std::string_view path) {
  return JsonField::of(root).get(path);
}

JsonField JsonField::get(std::string_view path) const {
  if (error_ || path.empty()) return *this;
  for (std::size_t s = 0;;) {
    std::size_t dot = path.find('.', s);
    std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    if (end == s) return missing(errors::EmptyPathComponent{std::string(path)});
    if (dot == std::string_view::npos) break;
    s = dot + 1;
  }
  const JsonValue* cur = value_;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string_view comp =
        path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
    std::string walked(start == 0 ? std::string_view() : path.substr(0, start - 1));
    if (!cur->is_object())
      return missing(errors::NotAStruct{std::string(path), walked, std::string(comp),
                                        std::string(cur->type_name())});
    const JsonValue* next = cur->find(comp);
    if (!next) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : cur->members()) keys.push_back(k);
      std::sort(keys.begin(), keys.end());
      return missing(
          errors::FieldNotFound{std::string(path), walked, std::string(comp), std::move(keys)});
    }
    cur = next;
    if (dot == std::string_view::npos) return of(*cur);
    start = dot + 1;
  }
}

std::vector<JsonField> JsonField::iter_members() const {
  std::vector<JsonField> out;
  if (!value_ || !value_->is_array()) return out;
  for (const auto& e : value_->items()) out.push_back(of(e));
  return out;
}

SnapshotResult<std::uint64_t> JsonField::as_u64() const {
  if (error_) return *error_;
  return to_u64(*value_);
}
SnapshotResult<std::int64_t> JsonField::as_i64() const {
  if (error_) return *error_;
  return to_i64(*value_);
}
SnapshotResult<double> JsonField::as_f64() const {
  if (error_) return *error_;
  return to_f64(*value_);
}
SnapshotResult<bool> JsonField::as_bool() const {
  if (error_) return *error_;
  return to_bool(*value_);
}
SnapshotResult<std::string_view> JsonField::as_str() const {
  if (error_) return *error_;
  if (value_->is_string()) return std::string_view(value_->text());
  return json_mismatch("str", value_->type_name());
}
SnapshotResult<std::vector<std::uint64_t>> JsonField::as_u64_array() const {
  return json_array<std::uint64_t>(*this, "[u64]", to_u64);
}
SnapshotResult<std::vector<std::uint32_t>> JsonField::as_u32_array() const {
  return json_array<std::uint32_t>(*this, "[u32]",
                                   [](const JsonValue& v) -> SnapshotResult<std::uint32_t> {
                                     auto x = to_u64(v);
                                     if (!x) return x.error();
                                     if (*x > std::numeric_limits<std::uint32_t>::max())
                                       return json_mismatch("u32", "Uint(>u32::MAX)");
                                     return static_cast<std::uint32_t>(*x);
                                   });
}
SnapshotResult<std::vector<std::int64_t>> JsonField::as_i64_array() const {
  return json_array<std::int64_t>(*this, "[i64]", to_i64);
}
SnapshotResult<std::vector<double>> JsonField::as_f64_array() const {
  return json_array<double>(*this, "[f64]", to_f64);
}
SnapshotResult<std::vector<bool>> JsonField::as_bool_array() const {
  return json_array<bool>(*this, "[bool]", to_bool);
}

}  // namespace scxsnap
