// SPDX-License-Identifier: Apache-2.0
// How a plotted global moved over a series: what the series page ranks by
// (so a whole host's page leads with what changed), whether it is a counter
// (drawn as its rate) or a gauge (drawn as values), and its rate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::html {

/// One plotted global: its values per sample (none: absent or a placeholder).
struct Track {
  std::string group, section, path;
  std::vector<std::optional<double>> y;
  std::vector<std::optional<std::uint64_t>> exact;
  std::vector<std::string> text;
};

/// A name that says "the current state", not "how many so far": last_*,
/// cur_*, prev_*, min_*/max_*, cpu and *_cpu (not nr_*_cpu), *_id, *_idx,
/// *_pid, *_ts, *_at, *vtime, *_now. Such a value that happened only to rise
/// is a gauge.
bool looks_like_gauge(std::string_view path);
/// A counter: integers that never go down and do change, under a name that
/// is not a gauge's.
bool is_counter(const Track& t);
/// Units per second between consecutive present samples, from integer deltas.
std::vector<std::optional<double>> rates(const Track& t, const std::vector<double>& t_ms);

struct Movement {
  std::size_t present = 0;                 ///< samples with a value
  std::size_t changes = 0;                 ///< consecutive present samples whose value differs
  std::optional<std::size_t> first, last;  ///< the first and last sample with a value
  double lo = 0, hi = 0;                   ///< the range of the values
  /// How much it moved: the range relative to the largest magnitude, times
  /// the share of intervals in which it changed (0 = flat).
  double score = 0;
  bool flat() const { return changes == 0; }
};
Movement movement_of(const Track& t);

}  // namespace scxsnap::html
