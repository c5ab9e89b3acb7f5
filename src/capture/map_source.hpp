// SPDX-License-Identifier: Apache-2.0
// The kernel as capture sees it: every bpf(2) call capture makes on maps goes
// through a MapSource, so tests can inject failures into each path (open,
// info, lookup, batch, next-key) without a kernel that misbehaves.
#pragma once

#include <linux/bpf.h>

#include <cstdint>

namespace scxsnap::capture_detail {

/// Every call returns 0 (open_map: an fd) or -errno; nothing else is set.
class MapSource {
 public:
  virtual ~MapSource() = default;
  virtual int next_map_id(std::uint32_t start, std::uint32_t* next);
  /// A read-only fd for map `id`.
  virtual int open_map(std::uint32_t id);
  virtual int map_info(int fd, bpf_map_info* info);
  virtual int lookup(int fd, const void* key, void* value);
  /// BPF_MAP_LOOKUP_BATCH; `count` in: room, out: entries returned.
  virtual int lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                           std::uint32_t* count);
  virtual int get_next_key(int fd, const void* key, void* next_key);
};

/// The real kernel, through libbpf.
MapSource& system_map_source();

}  // namespace scxsnap::capture_detail
