// SPDX-License-Identifier: Apache-2.0
// Compact JSON in, serde_json's pretty layout out, a chunk at a time: what a
// streamed capture uses for --pretty (the document is never held whole).
#pragma once

#include <string>
#include <string_view>

namespace scxsnap::detail {

class JsonReindenter {
 public:
  /// Appends the pretty form of `chunk` (any split of a compact document) to `out`.
  void feed(std::string_view chunk, std::string& out);

 private:
  void newline(std::string& out) const {
    out += '\n';
    out.append(2 * depth_, ' ');
  }
  std::size_t depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  char pending_open_ = 0;  // '{' or '[' whose emptiness is not yet known
};

}  // namespace scxsnap::detail
