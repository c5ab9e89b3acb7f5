// SPDX-License-Identifier: Apache-2.0
// Walking a map's entries: BPF_MAP_LOOKUP_BATCH where the kernel has it,
// get-next-key + lookup otherwise. Keys that vanish mid-walk are skipped;
// no key is yielded twice. Buffers are sized from the map and a byte budget.
#pragma once

#include "kernel_source.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace scxsnap::capture_detail {

/// Bytes of the cursor a batch lookup of a map of `type` takes and returns:
/// a u32 bucket index for the hash family, a key otherwise.
std::size_t batch_cursor_size(std::uint32_t type, std::uint32_t key_size);
/// Bytes one lookup of a map of `type` returns: the value, or one
/// 8-byte-aligned slot per possible CPU for the per-CPU types.
std::size_t lookup_value_size(std::uint32_t type, std::uint32_t value_size, std::uint32_t ncpus);
bool is_percpu_map(std::uint32_t type);

struct MapShape {
  int fd = -1;
  std::uint32_t type = 0;
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;  // bytes per lookup value (per-CPU: stride x ncpus)
  std::uint32_t max_entries = 0;
};

struct WalkResult {
  std::uint64_t visited = 0;
  bool capped = false;
  std::string error;  // set when the walk stopped early on an error
};

using EntryFn = std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>;

/// Batch entries for a map: as many as `buffer_bytes` holds, at least one,
/// at most max_entries.
std::uint32_t batch_entries(const MapShape& m, std::size_t buffer_bytes);

/// fn(key, value) for each entry; returns false to stop. `limit` caps the
/// entries visited (0 = none).
WalkResult walk_entries(KernelSource& src, const MapShape& m, std::uint64_t limit,
                        std::size_t buffer_bytes, const EntryFn& fn);

}  // namespace scxsnap::capture_detail
