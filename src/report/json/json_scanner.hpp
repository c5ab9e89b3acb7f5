// SPDX-License-Identifier: Apache-2.0
// A byte-level JSON scanner (strings and nesting aware, no decoding): where a
// value ends, the element ranges of an array, the members of an object. The
// piecewise reader uses it to cut a large document into small ones.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace scxsnap::detail {

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

struct Member {
  std::string_view key;  // raw (escapes not decoded)
  std::size_t value_begin, value_end;
  std::optional<Ranges> elements;  // for the array members asked for: their elements
};

/// While alive, the scanner remembers where the large containers inside
/// `text` end (those it walked through while skipping an enclosing value), so
/// splitting a large value level by level scans its bytes once, not once per
/// level. One per thread at a time; only addresses inside `text` are kept.
/// With `drop_behind` (only for a private read-only file mapping), a long
/// scan also drops the pages it has passed: they come back from the page
/// cache when read, and a scan of a large file does not make it resident.
class ScanMemo {
 public:
  explicit ScanMemo(std::string_view text, bool drop_behind = false);
  ~ScanMemo();
  ScanMemo(const ScanMemo&) = delete;
  ScanMemo& operator=(const ScanMemo&) = delete;
};

/// Index just past the string starting at `i` ('"').
std::optional<std::size_t> string_end(std::string_view t, std::size_t i);
/// Index just past the JSON value starting at `i`.
std::optional<std::size_t> value_end(std::string_view t, std::size_t i);
std::size_t skip_ws(std::string_view t, std::size_t i);
/// Element ranges of the array starting at `i` ('['); `end` gets the index past ']'.
std::optional<Ranges> array_elements(std::string_view t, std::size_t i, std::size_t* end = nullptr);
/// Members of the object starting at `i` ('{'); array members named in
/// `split` are walked element by element (one pass) instead of skipped.
std::optional<std::vector<Member>> object_members(std::string_view t, std::size_t i,
                                                  std::span<const std::string_view> split);

}  // namespace scxsnap::detail
