// SPDX-License-Identifier: Apache-2.0
// The numbers inside a rendered value, each with its path: what `report`
// plots (a global over time, a per-CPU slot across CPUs).
#pragma once

#include "scxsnap/rendered_value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap::html {

struct Leaf {
  std::string path;                    ///< "nr_dispatched", "stats.lat[3]"; "" for a scalar value
  double value = 0;                    ///< for plotting
  std::string text;                    ///< exactly as the data has it
  std::optional<std::uint64_t> exact;  ///< the value, when a non-negative integer
};

/// Depth-first numeric leaves of `v` (ints, uints, enums' raw values,
/// bools, floats; chars only outside char arrays, which are text), arrays up
/// to `max_array` elements each. At most `limit` leaves are kept; `more`
/// counts the ones left out (so that a page can say how many).
void numeric_leaves(const RenderedValue& v, const std::string& path, std::vector<Leaf>& out,
                    std::size_t limit, std::size_t& more, std::size_t max_array = 16);

}  // namespace scxsnap::html
