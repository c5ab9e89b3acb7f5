// SPDX-License-Identifier: Apache-2.0
#include "rust_debug.hpp"

#include <fmt/format.h>

namespace scxsnap::detail {

std::string rust_debug_str(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
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
      case '\0':
        out += "\\0";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\u{{{:x}}}", c);
        else
          out += ch;
    }
  }
  out += '"';
  return out;
}

std::string rust_debug_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += rust_debug_str(v[i]);
  }
  out += ']';
  return out;
}

std::string rust_debug_hex_list(const std::vector<std::uint64_t>& v) {
  if (v.empty()) return "[]";
  std::string out = "[\n";
  for (std::uint64_t x : v) out += fmt::format("    0x{:x},\n", x);
  out += ']';
  return out;
}

}  // namespace scxsnap::detail
