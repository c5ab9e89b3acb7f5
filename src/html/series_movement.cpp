// SPDX-License-Identifier: Apache-2.0
#include "series_movement.hpp"

#include <algorithm>
#include <cmath>

namespace scxsnap::html {

bool looks_like_gauge(std::string_view path) {
  const auto cut = path.find_last_of(".]");
  std::string_view leaf = cut == std::string_view::npos ? path : path.substr(cut + 1);
  for (std::string_view p : {"last_", "cur_", "curr_", "prev_", "min_", "max_"})
    if (leaf.starts_with(p)) return true;
  for (std::string_view s : {"_id", "_idx", "_pid", "_ts", "_at", "vtime", "_now"})
    if (leaf.ends_with(s)) return true;
  // A CPU number (target_cpu), but not a count of events on CPUs (nr_odd_cpu).
  return leaf == "cpu" || (leaf.ends_with("_cpu") && !leaf.starts_with("nr_"));
}

bool is_counter(const Track& t) {
  if (looks_like_gauge(t.path)) return false;
  std::optional<std::uint64_t> prev;
  bool changed = false;
  for (std::size_t i = 0; i < t.exact.size(); ++i) {
    if (!t.y[i]) continue;
    if (!t.exact[i]) return false;
    if (prev && *t.exact[i] < *prev) return false;
    if (prev && *t.exact[i] != *prev) changed = true;
    prev = t.exact[i];
  }
  return changed;
}

std::vector<std::optional<double>> rates(const Track& t, const std::vector<double>& t_ms) {
  std::vector<std::optional<double>> out(t.y.size());
  std::optional<std::size_t> prev;
  for (std::size_t i = 0; i < t.y.size(); ++i) {
    if (!t.exact[i]) continue;
    if (prev && t_ms[i] > t_ms[*prev]) {
      const std::uint64_t d = *t.exact[i] - *t.exact[*prev];
      out[i] = static_cast<double>(d) * 1000.0 / (t_ms[i] - t_ms[*prev]);
    }
    prev = i;
  }
  return out;
}

Movement movement_of(const Track& t) {
  Movement m;
  for (std::size_t i = 0; i < t.y.size(); ++i) {
    if (!t.y[i]) continue;
    const double v = *t.y[i];
    if (m.last) {
      // Integers compare exactly (doubles cannot tell 2^53 + 1 from 2^53).
      const bool same =
          t.exact[i] && t.exact[*m.last] ? *t.exact[i] == *t.exact[*m.last] : v == *t.y[*m.last];
      m.changes += !same;
      m.lo = std::min(m.lo, v);
      m.hi = std::max(m.hi, v);
    } else {
      m.first = i;
      m.lo = m.hi = v;
    }
    m.last = i;
    ++m.present;
  }
  if (m.changes == 0 || m.present < 2) return m;
  const double mag = std::max({std::fabs(m.lo), std::fabs(m.hi), 1e-300});
  const double share = static_cast<double>(m.changes) / static_cast<double>(m.present - 1);
  m.score = (m.hi - m.lo) / mag * share;
  return m;
}

}  // namespace scxsnap::html
