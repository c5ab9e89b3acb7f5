// SPDX-License-Identifier: Apache-2.0
// Pickers for live_var_via / live_vars_via (spec §3.5). Both keep the LAST of
// tied candidates (unlike SnapshotMap::max_by, which keeps the first).
#include "scxsnap/snapshot.hpp"

#include <limits>

namespace scxsnap::pickers {

std::optional<std::size_t> max_by_counter_value(
    std::span<const std::pair<std::string_view, SnapshotField>> fields) {
  std::optional<std::size_t> best;
  std::uint64_t best_v = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto v = fields[i].second.as_u64();
    if (!v) continue;
    if (!best || *v >= best_v) {
      best = i;
      best_v = *v;
    }
  }
  return best;
}

std::optional<std::size_t> max_by_sum_u64(
    std::span<const std::pair<std::string_view, std::vector<SnapshotField>>> rows) {
  std::optional<std::size_t> best;
  std::uint64_t best_sum = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::uint64_t sum = 0;
    bool clean = true;
    for (const auto& f : rows[i].second) {
      auto v = f.as_u64();
      if (!v) {
        clean = false;
        break;
      }
      if (__builtin_add_overflow(sum, *v, &sum)) sum = std::numeric_limits<std::uint64_t>::max();
    }
    if (!clean) continue;
    if (!best || sum >= best_sum) {
      best = i;
      best_sum = sum;
    }
  }
  return best;
}

}  // namespace scxsnap::pickers
