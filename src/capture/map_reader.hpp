// SPDX-License-Identifier: Apache-2.0
// Reading one map's contents into a FailureDumpMap, per map type (ktstr's
// shapes: value / entries / array_entries / percpu_* / ringbuf / fd_array /
// stack_trace / arena). A map that cannot be read gets `error`, never a
// silent empty map. In streaming mode the large shapes (value, entries,
// array_entries, percpu_*) are rendered straight into the output buffer.
#pragma once

#include "btf_cache.hpp"
#include "host_context.hpp"
#include "map_source.hpp"
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

/// Native capture: the contents as the kernel returned them, instead of
/// rendered (keys and values of every entry, per-CPU slots included).
class RawSink {
 public:
  using Bytes = std::span<const std::uint8_t>;
  virtual ~RawSink() = default;
  /// One entry of a hash or array map (array: key = the u32 index).
  virtual void entry(Bytes key, Bytes value) = 0;
  /// An entry keyed by its owner (task or cgroup storage).
  virtual void owner_entry(std::string_view key_json, Bytes key_bytes, Bytes value) = 0;
  /// The map's single value (a global section, a queue's head, struct_ops).
  virtual void value(Bytes bytes) = 0;
};

struct ReadContext {
  MapSource& src;
  BtfCache& btfs;
  std::uint32_t ncpus = 1;
  std::uint32_t entry_cap = 0;  // 0 = none
  std::size_t buffer_bytes = 0;
  /// Budget, stop signal and (streaming) flush for every value rendered.
  RenderLimits limits{};
  /// Streaming: the output buffer, inside the map object the caller opened
  /// and filled up to max_entries; the model then gets none of the large shapes.
  std::string* stream_out = nullptr;
  /// Native capture: contents go here raw, and nothing is rendered.
  RawSink* raw = nullptr;
  /// Why should_stop fired ("deadline", "signal"), for map errors.
  std::function<std::string()> stop_reason{};
  /// Where /proc and /sys are (task storage lists the threads of /proc).
  HostPaths host{};
  ReadStats stats{};
  bool stopped() const { return limits.should_stop && limits.should_stop(); }
  void flush_if_full() {
    if (stream_out && limits.flush && stream_out->size() >= limits.flush_at)
      limits.flush(*stream_out);
  }
};

struct CapturedMap {
  FailureDumpMap map;
  // struct_ops bookkeeping for finding the active object.
  bool struct_ops_in_use = false;  // its state is BPF_STRUCT_OPS_STATE_INUSE
  std::vector<std::uint32_t> struct_ops_prog_ids;
  std::string struct_ops_type;  // e.g. "bpf_struct_ops_sched_ext_ops"
};

void read_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out);
/// Fill name/id/type/sizes from `info` (what a streamed map's head needs).
void init_map(const MapInfo& info, FailureDumpMap& m);
/// How the map's raw contents are laid out (and render): one table for
/// streaming JSON and native snapshots.
native::Shape content_shape(const MapInfo& info);
/// Map types whose contents stream (every shape but struct_ops' value).
bool streams_contents(const MapInfo& info);

}  // namespace scxsnap::capture_detail
