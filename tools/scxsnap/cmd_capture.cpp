// SPDX-License-Identifier: Apache-2.0
// scxsnap capture: the running kernel's BPF and scheduler state as a report.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "scxsnap/capture.hpp"

namespace scxsnap::cli {

void add_capture(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("capture", "Capture this machine's BPF maps and scheduler context");
  struct Opts {
    CaptureOptions c;
    std::string out = "-";
    bool pretty = false;
    std::string active_obj;
    std::string cgroup;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-o,--output", o->out, "output file ('-' = stdout); written atomically, mode 0600");
  cmd->add_option("--map", o->c.map_names, "capture only maps with this exact name (repeatable)");
  cmd->add_option("--obj", o->c.obj_prefixes, "capture only maps whose name starts with PREFIX (repeatable)");
  cmd->add_option("--map-id", o->c.map_ids, "capture only this map id (repeatable)");
  cmd->add_option("--max-entries", o->c.max_entries, "per-map entry cap (recorded in the map's error)");
  cmd->add_option("--deadline-ms", o->c.deadline_ms, "soft deadline; what was cut is recorded");
  cmd->add_flag("--enable-stats", o->c.enable_stats, "turn BPF run stats on while capturing (BPF_ENABLE_STATS)");
  cmd->add_flag("--all-progs", o->c.all_progs, "prog_runtime_stats for every program, not just the active object's");
  cmd->add_option("--pid", o->c.pids, "add task details for this pid (repeatable)");
  cmd->add_option("--cgroup", o->cgroup, "add PSI IRQ stall for this cgroup (path under /sys/fs/cgroup)");
  cmd->add_option("--active-obj", o->active_obj, "name the active object instead of detecting it");
  cmd->add_flag("--pretty", o->pretty, "indent the output");
  cmd->callback([o, &exit_code] {
    if (!o->active_obj.empty()) o->c.active_obj = o->active_obj;
    if (!o->cgroup.empty()) o->c.cgroup = o->cgroup;
    // Progress on a terminal, once the capture has taken more than a second.
    const bool tty = ::isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    o->c.progress = [tty, start](const std::string& line) {
      if (!tty || std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) return;
      std::fprintf(stderr, "\r\033[Kscxsnap: %s", line.c_str());
    };
    auto json = capture_json(o->c, o->pretty ? JsonStyle::Pretty : JsonStyle::Compact);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!json) {
      exit_code = report_error(json.error());
      return;
    }
    json->push_back('\n');
    if (auto w = write_file_atomic(o->out, *json); !w) {
      exit_code = report_error(w.error());
      return;
    }
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
