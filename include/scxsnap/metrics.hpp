// SPDX-License-Identifier: Apache-2.0
// A report as Prometheus metrics (the text exposition format, version 0.0.4,
// which Prometheus scrapes and node_exporter's textfile collector reads):
// every numeric leaf of every object's global sections, per-CPU values summed
// per key (or per CPU, when asked), map occupancy, ring-buffer backlog, map
// errors, the capture's own cost. No per-scheduler code: names come from BTF.
//
// Families (labels in braces):
//   scx_global{obj,section,var,path}            gauge   a global's numeric leaf
//   scx_global_counter_total{obj,section,var,path} counter  one that counts
//   scx_percpu_sum{map,key,path}                gauge   a per-CPU value summed over CPUs
//   scx_percpu{map,key,cpu,path}                gauge   per CPU (MetricsOptions::per_cpu)
//   scx_map_entries{map,type} / scx_map_max_entries{map,type}   gauge
//   scx_ringbuf_pending_bytes{map}              gauge
//   scx_map_error{map}                          gauge   1 where the map's read failed
//   scx_capture_duration_seconds                gauge
//   scx_metrics_series / scx_metrics_dropped_series   gauge   what the cap kept and cut
// A leaf is a counter when it is an unsigned integer whose name says it
// counts (ends in _total, _count, _cnt, _events, _calls, _hits, _misses,
// _drops, _errors, _fails, _failures, _runs, _switches, _wakeups, _ns, _bytes,
// or in "ed": nr_dispatched) and not the current state (last_*, cur_*, max_*,
// *_id, *_pid, *_cpu, ... as `report` tells gauges); otherwise a gauge. A
// single capture cannot see a value move: the name is all there is.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace scxsnap::metrics {

struct SCXSNAP_API MetricsOptions {
  /// Glob patterns ('*', '?') a series must match to be written, tried on
  /// "OBJ.SECTION.VAR.PATH" for globals and on "MAP" / "MAP.PATH" for maps;
  /// empty: everything.
  std::vector<std::string> select;
  /// Per-CPU values also as one series per CPU (scx_percpu).
  bool per_cpu = false;
  /// At most this many series (the capture's own are always written);
  /// the rest are counted in scx_metrics_dropped_series.
  std::size_t max_series = 10000;
};

struct SCXSNAP_API MetricsText {
  std::string text;
  std::size_t series = 0;   ///< series written (the cap's count)
  std::size_t dropped = 0;  ///< series left out by the cap
};

SCXSNAP_API MetricsText to_prometheus(const FailureDumpReport& report,
                                      const MetricsOptions& options = {});

/// Whether `name` (a glob's subject) matches `pattern` ('*' any run, '?' one character).
SCXSNAP_API bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace scxsnap::metrics
