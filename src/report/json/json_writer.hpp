// SPDX-License-Identifier: Apache-2.0
// A streaming JSON writer that reproduces serde_json's output byte for byte:
// compact (no whitespace) or pretty (2-space indent, "key": value), string
// escapes as serde_json writes them, floats in the shortest form in either
// serde_json era's exponent style, and non-finite floats as null. No DOM:
// callers emit tokens in order.
#pragma once

#include "scxsnap/json_value.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, bool pretty = false, FloatStyle floats = FloatStyle::Zmij)
      : out_(out), pretty_(pretty), floats_(floats) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  /// Key of the next object member.
  void key(std::string_view k);

  void value_null() {
    before_value();
    out_ += "null";
  }
  void value_bool(bool b) {
    before_value();
    out_ += b ? "true" : "false";
  }
  void value_u64(std::uint64_t v);
  void value_i64(std::int64_t v);
  void value_f64(double v);
  void value_string(std::string_view s);
  /// A pre-rendered compact JSON value, written as is.
  void value_raw_json(std::string_view json) {
    before_value();
    out_ += json;
  }
  /// A pre-formatted JSON number token.
  void value_raw_number(std::string_view token) {
    before_value();
    out_ += token;
  }

  // Shorthands for "key": value.
  void field_u64(std::string_view k, std::uint64_t v) {
    key(k);
    value_u64(v);
  }
  void field_i64(std::string_view k, std::int64_t v) {
    key(k);
    value_i64(v);
  }
  void field_bool(std::string_view k, bool v) {
    key(k);
    value_bool(v);
  }
  void field_string(std::string_view k, std::string_view v) {
    key(k);
    value_string(v);
  }

  /// A writer of more elements of `outer`'s innermost open container,
  /// into `out` (`started`: whether that container already has elements by
  /// the time this text follows). Its text goes back through append_elements.
  static JsonWriter continuing(std::string& out, const JsonWriter& outer, bool started) {
    JsonWriter w(out, outer.pretty_, outer.floats_);
    w.has_elem_ = outer.has_elem_;
    if (!w.has_elem_.empty()) w.has_elem_.back() = started;
    return w;
  }
  /// Text a continuing() writer wrote, in its place: the container now has elements.
  void append_elements(std::string_view text) {
    if (text.empty()) return;
    out_ += text;
    has_elem_.back() = true;
  }

  std::string& buffer() { return out_; }
  /// The float text for values written from here on (a streamed document
  /// learns its era as it is read).
  void set_float_style(FloatStyle f) { floats_ = f; }

 private:
  void open(char c);
  void close(char c);
  void before_value();
  void newline_indent();

  std::string& out_;
  bool pretty_;
  FloatStyle floats_;
  // One entry per open container: has it written an element yet?
  std::vector<bool> has_elem_;
  bool after_key_ = false;
};

/// serde_json float text for a finite double ("1.0", "1e-7", "1.5e+300"; with
/// FloatStyle::Ryu "1.5e300").
void append_f64(std::string& out, double v, FloatStyle style = FloatStyle::Zmij);
/// JSON string body escaping as serde_json does (no surrounding quotes).
void append_escaped(std::string& out, std::string_view s);

}  // namespace scxsnap::detail
