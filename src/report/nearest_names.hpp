// SPDX-License-Identifier: Apache-2.0
// "Did you mean": the names nearest to a wanted one, by edit distance.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::detail {

/// Levenshtein distance (insert, delete, substitute: 1 each).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Up to `n` distinct names nearest to `want` (ties in name order).
inline std::vector<std::string> nearest_names(std::string_view want,
                                              std::span<const std::string> names, std::size_t n) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& name : names) scored.emplace_back(edit_distance(want, name), name);
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < n; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace scxsnap::detail
