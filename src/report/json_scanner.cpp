// SPDX-License-Identifier: Apache-2.0
// The byte-level JSON scanner (json_scanner.hpp).
#include "json_scanner.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace scxsnap::detail {
namespace {

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


}  // namespace

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


// Element ranges of the array starting at `i` ('['); `end` gets the index past ']'.
std::optional<Ranges> array_elements(std::string_view t, std::size_t i, std::size_t* end) {
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

}  // namespace scxsnap::detail
