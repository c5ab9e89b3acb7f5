// SPDX-License-Identifier: Apache-2.0
// Reading one map's contents into a FailureDumpMap, per map type (ktstr's
// shapes: value / entries / array_entries / percpu_* / ringbuf / fd_array /
// stack_trace / arena). A map that cannot be read gets `error`, never a
// silent empty map.
#pragma once

#include "btf_cache.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace scxsnap::capture_detail {

struct MapInfo {
  std::uint32_t id = 0, type = 0, key_size = 0, value_size = 0, max_entries = 0, map_flags = 0;
  std::uint32_t btf_id = 0, btf_key_type_id = 0, btf_value_type_id = 0,
                btf_vmlinux_value_type_id = 0;
  std::uint64_t map_extra = 0;
  std::string name;
};

struct ReadContext {
  BtfCache& btfs;
  std::uint32_t ncpus = 1;
  std::uint32_t entry_cap = 0;        // 0 = none
  std::function<bool()> out_of_time;  // soft deadline
  /// When set, hash-family entries are rendered straight into this buffer as
  /// `,"entries":[…]` (or percpu_hash_entries), inside the map object the
  /// caller has opened and filled up to max_entries; the model gets none.
  std::string* stream_out = nullptr;
};

struct CapturedMap {
  FailureDumpMap map;
  // struct_ops bookkeeping for finding the active object.
  std::uint32_t struct_ops_state = 0;
  std::vector<std::uint32_t> struct_ops_prog_ids;
  std::string struct_ops_type;  // e.g. "bpf_struct_ops_sched_ext_ops"
};

void read_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out);
/// Fill name/id/type/sizes from `info` (what a streamed map's head needs).
void init_map(const MapInfo& info, FailureDumpMap& m);
/// Map types whose entries stream (hash family).
bool streams_entries(std::uint32_t map_type);

}  // namespace scxsnap::capture_detail
