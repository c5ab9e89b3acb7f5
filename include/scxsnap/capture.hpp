// SPDX-License-Identifier: Apache-2.0
// Live capture: the running kernel's BPF maps and scheduler context into a
// FailureDumpReport, through bpf(2) (libbpf), /proc and /sys. Maps are opened
// read-only; nothing is written to the kernel (stats are switched on through a
// BPF_ENABLE_STATS fd only when asked, and off again when it closes).
#pragma once

#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap {

struct CaptureOptions {
  std::vector<std::string> map_names;     ///< --map NAME (exact); empty = all maps
  std::vector<std::string> obj_prefixes;  ///< --obj PREFIX: maps named "<PREFIX>..."
  std::vector<std::uint32_t> map_ids;     ///< --map-id ID
  std::uint32_t max_entries = 0;          ///< per-map entry cap; 0 = none
  std::uint64_t deadline_ms = 0;          ///< soft deadline; 0 = none
  bool enable_stats = false;              ///< hold a BPF_ENABLE_STATS fd while capturing
  bool all_progs = false;                 ///< prog_runtime_stats for every program
  std::vector<std::int32_t> pids;         ///< task_enrichments for these tasks
  std::optional<std::string> cgroup;      ///< cgroup_psi for this cgroup path
  std::optional<std::string> active_obj;  ///< override the active object's name
  /// Called with a one-line status now and then (for a progress display).
  std::function<void(const std::string&)> progress;
};

/// Capture into a report model.
/// Errors: PermissionDenied when the bpf syscall is refused (needs CAP_BPF +
/// CAP_SYS_ADMIN, or root); a map that fails is recorded in its `error`.
Result<FailureDumpReport> capture(const CaptureOptions& options);

/// Capture straight into JSON text (large maps are rendered into the output
/// without building their trees). Same content as to_json(capture(...)).
Result<std::string> capture_json(const CaptureOptions& options,
                                 JsonStyle style = JsonStyle::Compact);

}  // namespace scxsnap
