// SPDX-License-Identifier: Apache-2.0
// The capture flags shared by `capture` and `watch`.
#pragma once

#include "scxsnap/capture.hpp"

#include <CLI/CLI.hpp>

namespace scxsnap::cli {

struct CaptureFlags {
  CaptureOptions c;
  std::string active_obj;
  std::string cgroup;
  /// Copy the string flags into `c` (call in the command's callback).
  void finish() {
    if (!active_obj.empty()) c.active_obj = active_obj;
    if (!cgroup.empty()) c.cgroup = cgroup;
  }
};

inline void add_capture_flags(CLI::App* cmd, CaptureFlags& f) {
  cmd->add_option("--map", f.c.map_names,
                  "capture only maps with this name (repeatable; a name longer than the kernel's "
                  "15 characters matches its cut form); one that matches nothing is an error");
  cmd->add_option("--obj", f.c.obj_prefixes,
                  "capture every map of object NAME (repeatable): its global sections (NAME or "
                  "libbpf's cut of it, e.g. scx_rust.bss for scx_rusty), the maps sharing their "
                  "BTF, and the maps its programs use");
  cmd->add_option("--map-id", f.c.map_ids, "capture only this map id (repeatable)");
  cmd->add_option("--max-entries", f.c.max_entries,
                  "per-map entry cap (recorded in the map's error)")
      ->check(CLI::Range(std::uint32_t{0}, UINT32_MAX));
  cmd->add_option("--deadline-ms", f.c.deadline_ms,
                  "deadline, honoured inside large values too; what was cut is recorded "
                  "(0 = none, at most a day)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{86400000}));
  cmd->add_option("--max-value-bytes", f.c.max_value_bytes,
                  "render budget of one value, in bytes of JSON (0 = none); a larger value is "
                  "written as ktstr's 'truncated' with its partial contents")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-array-elements", f.c.max_array_elements,
                  "elements kept of one array (ktstr keeps 4096; 'len' stays the declared length)")
      ->check(CLI::Range(std::uint32_t{1}, UINT32_MAX))
      ->capture_default_str();
  cmd->add_flag("--enable-stats", f.c.enable_stats,
                "turn BPF run stats on while capturing (BPF_ENABLE_STATS)");
  cmd->add_flag("--all-progs", f.c.all_progs,
                "prog_runtime_stats for every program, not just the active object's");
  cmd->add_option("--pid", f.c.pids, "add task details for this pid (repeatable)");
  cmd->add_option("--cgroup", f.cgroup,
                  "add PSI IRQ stall for this cgroup (path under /sys/fs/cgroup)");
  cmd->add_option("--active-obj", f.active_obj, "name the active object instead of detecting it");
}

}  // namespace scxsnap::cli
