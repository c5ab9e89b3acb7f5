// SPDX-License-Identifier: Apache-2.0
// Reading one map, per map type: its contents (entries, a single value,
// owner-keyed entries) go to the context's ContentSink as the kernel returns
// them; the small shapes (ringbuf, fd_array, stack_trace) and `error` go into
// the map's skeleton. A map that cannot be read gets `error`, never a silent
// empty map.
#pragma once

#include "btf/map_contents.hpp"
#include "btf_cache.hpp"
#include "host_context.hpp"
#include "kernel_source.hpp"
#include "native/native_index.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <functional>
#include <span>
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

MapInfo to_map_info(const bpf_map_info& raw);

/// Counters a capture keeps across maps.
struct ReadStats {
  std::uint64_t entries = 0;           // entries and values read
  std::uint64_t values_truncated = 0;  // values cut to the render budget
};

class ContentSink;

struct ReadContext {
  KernelSource& src;
  BtfCache& btfs;
  std::uint32_t ncpus = 1;
  std::uint32_t entry_cap = 0;  // 0 = none
  std::size_t buffer_bytes = 0;
  /// Budget and stop signal for every value rendered.
  RenderLimits limits{};
  /// Where the contents of the map being read go.
  ContentSink* sink = nullptr;
  /// Why should_stop fired ("deadline", "signal"), for map errors.
  std::function<std::string()> stop_reason{};
  /// Where /proc and /sys are (task storage lists the threads of /proc).
  HostPaths host{};
  ReadStats stats{};
  /// What the render budget cut in the map being read (the sink notes it).
  map_contents::CutLog cut{};
  bool stopped() const { return limits.should_stop && limits.should_stop(); }
};

struct CapturedMap {
  FailureDumpMap map;
  // struct_ops bookkeeping for finding the active object.
  bool struct_ops_in_use = false;  // its state is BPF_STRUCT_OPS_STATE_INUSE
  std::vector<std::uint32_t> struct_ops_prog_ids;
  std::string struct_ops_type;  // e.g. "bpf_struct_ops_sched_ext_ops"
};

/// Reads map `info` into `out` (its skeleton, init_map) and ctx.sink: begins
/// the map in the sink; the caller ends it (after its own bookkeeping).
void read_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out);
/// Fill name/id/type/sizes from `info` (what a streamed map's head needs).
void init_map(const MapInfo& info, FailureDumpMap& m);
/// How the map's raw contents are laid out (and render): one table for
/// streaming JSON and native snapshots.
native::Shape content_shape(const MapInfo& info);
/// Map types whose contents stream (every shape but struct_ops' value).
bool streams_contents(const MapInfo& info);

}  // namespace scxsnap::capture_detail
