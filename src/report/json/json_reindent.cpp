// SPDX-License-Identifier: Apache-2.0
#include "json_reindent.hpp"

namespace scxsnap::detail {

void JsonReindenter::feed(std::string_view chunk, std::string& out) {
  for (char c : chunk) {
    if (in_string_) {
      out += c;
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_string_ = false;
      continue;
    }
    if (pending_open_) {
      const bool closes = (pending_open_ == '{' && c == '}') || (pending_open_ == '[' && c == ']');
      pending_open_ = 0;
      if (closes) {  // serde writes empty containers as {} and []
        out += c;
        continue;
      }
      ++depth_;
      newline(out);
    }
    switch (c) {
      case '{':
      case '[':
        out += c;
        pending_open_ = c;
        break;
      case '}':
      case ']':
        if (depth_ > 0) --depth_;
        newline(out);
        out += c;
        break;
      case ',':
        out += ',';
        newline(out);
        break;
      case ':':
        out += ": ";
        break;
      case '"':
        in_string_ = true;
        out += c;
        break;
      default:
        out += c;
    }
  }
}

}  // namespace scxsnap::detail
