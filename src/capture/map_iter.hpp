// SPDX-License-Identifier: Apache-2.0
// Walking a map's entries: BPF_MAP_LOOKUP_BATCH where the kernel has it,
// get-next-key + lookup otherwise. Keys that vanish mid-walk are skipped.
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace scxsnap::capture_detail {

struct MapShape {
  int fd = -1;
  std::uint32_t type = 0;
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;  // bytes per lookup value (per-CPU: stride x ncpus)
  std::uint32_t max_entries = 0;
};

/// fn(key, value) for each entry; returns false to stop. `limit` caps the
/// entries visited (0 = none). Returns the number of entries visited, or
/// the error that ended the walk before any entry.
struct WalkResult {
  std::uint64_t visited = 0;
  bool capped = false;
  std::string error;  // set when the walk stopped early on an error
};
WalkResult walk_entries(
    const MapShape& m, std::uint64_t limit,
    const std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>& fn);

}  // namespace scxsnap::capture_detail
