// SPDX-License-Identifier: Apache-2.0
#include "json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace scxsnap::detail {

void JsonWriter::newline_indent() {
  out_ += '\n';
  out_.append(2 * has_elem_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_elem_.empty()) return;  // top-level value
  if (has_elem_.back()) out_ += ',';
  has_elem_.back() = true;
  if (pretty_) newline_indent();
}

void JsonWriter::open(char c) {
  before_value();
  out_ += c;
  has_elem_.push_back(false);
}

void JsonWriter::close(char c) {
  bool had = has_elem_.back();
  has_elem_.pop_back();
  if (pretty_ && had) newline_indent();
  out_ += c;
}

void JsonWriter::key(std::string_view k) {
  if (has_elem_.back()) out_ += ',';
  has_elem_.back() = true;
  if (pretty_) newline_indent();
  out_ += '"';
  append_escaped(out_, k);
  out_ += pretty_ ? "\": " : "\":";
  after_key_ = true;
}

void JsonWriter::value_u64(std::uint64_t v) {
  before_value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::value_i64(std::int64_t v) {
  before_value();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::value_f64(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_ += "null";  // serde_json writes NaN and infinities as null
    return;
  }
  append_f64(out_, v, floats_);
}

void JsonWriter::value_string(std::string_view s) {
  before_value();
  out_ += '"';
  append_escaped(out_, s);
  out_ += '"';
}

void append_f64(std::string& out, double v, FloatStyle style) {
  // Shortest round-trip digits from to_chars, then ryu's layout rules
  // (what serde_json prints): decimal for 1e-5 <= |v| < 1e16, else d.ddde±x.
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  std::size_t epos = sci.find('e');
  std::string digits;
  digits.reserve(20);
  for (char c : sci.substr(0, epos))
    if (c != '.') digits += c;
  int exp10 = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp10);
  const int length = static_cast<int>(digits.size());
  const int k = exp10 - length + 1;
  const int kk = length + k;
  if (k >= 0 && kk <= 16) {
    out += digits;
    out.append(static_cast<std::size_t>(k), '0');
    out += ".0";
  } else if (kk > 0 && kk <= 16) {
    out.append(digits, 0, static_cast<std::size_t>(kk));
    out += '.';
    out.append(digits, static_cast<std::size_t>(kk));
  } else if (kk > -5 && kk <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-kk), '0');
    out += digits;
  } else {
    out += digits[0];
    if (length > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    if (kk - 1 >= 0 && style == FloatStyle::Zmij) out += '+';
    char eb[8];
    auto er = std::to_chars(eb, eb + sizeof eb, kk - 1);
    out.append(eb, er.ptr);
  }
}

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
}

}  // namespace scxsnap::detail
