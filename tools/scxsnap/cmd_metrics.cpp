// SPDX-License-Identifier: Apache-2.0
// scxsnap metrics [-o FILE|-] [capture flags] [--select P] [--per-cpu]
// [--max-series N] [--from REPORT]: one capture (or a report already
// written) as Prometheus text, for a scrape or node_exporter's textfile
// collector (the file is replaced atomically, never seen half-written).
#include "capture_options.hpp"
#include "commands.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/metrics.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/output_file.hpp"
#include "stop_signal.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace scxsnap::cli {

void add_metrics(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "metrics",
      "Capture once and write Prometheus metrics: every numeric global of every object, "
      "per-CPU values summed, map occupancy, ring-buffer backlog, errors");
  struct Opts {
    CaptureFlags f;
    std::string out = "-", from, replay;
    metrics::MetricsOptions m;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-o,--output", o->out,
                  "output file ('-' = stdout, the default); replaced atomically (for "
                  "node_exporter's textfile collector: a *.prom file in its directory)");
  add_capture_flags(cmd, o->f);
  cmd->add_option("--select", o->m.select,
                  "write only series matching this glob (repeatable; '*' and '?'), tried on "
                  "OBJ.SECTION.VAR.PATH for globals and on MAP or MAP.PATH for maps");
  cmd->add_flag("--per-cpu", o->m.per_cpu, "also one series per CPU of per-CPU values");
  cmd->add_option("--max-series", o->m.max_series,
                  "at most this many series; the rest are counted in scx_metrics_dropped_series")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->add_option("--from", o->from, "a report (JSON or native) instead of a live capture")
      ->excludes("--map")
      ->excludes("--obj")
      ->excludes("--map-id");
  cmd->add_option("--replay-kernel", o->replay,
                  "take the kernel's answers from this tape instead of the running kernel")
      ->excludes("--from");
  cmd->callback([o, &exit_code] {
    o->f.finish();
    if (!o->replay.empty()) o->f.c.replay_kernel = o->replay;
    StopSignal stop;
    o->f.c.cancel = &stop.flag();
    FailureDumpReport report;
    if (!o->from.empty()) {
      auto dump = load_any_dump(o->from);
      if (!dump) {
        exit_code = report_error(dump.error());
        return;
      }
      auto r = report_of(*dump);
      if (!r) {
        exit_code = lookup_error(r.error());
        return;
      }
      report = **r;
    } else {
      auto r = capture(o->f.c);
      if (!r) {
        exit_code = report_error(r.error());
        if (r.error().code() == ErrorCode::NotFound) exit_code = kAbsent;
        return;
      }
      report = std::move(*r);
    }
    const metrics::MetricsText text = metrics::to_prometheus(report, o->m);
    if (o->out == "-") {
      std::fwrite(text.text.data(), 1, text.text.size(), stdout);
    } else {
      // Readable by the collector (it runs as another user): mode 0644.
      auto f = OutputFile::create(o->out, FileMode::Shared);
      Result<void> w = f ? f->write(text.text) : Result<void>(f.error());
      if (w && f) w = f->commit();
      if (!w) {
        exit_code = report_error(w.error());
        return;
      }
    }
    if (text.dropped)
      std::fprintf(stderr, "scxsnap: %zu series over --max-series %zu left out\n", text.dropped,
                   o->m.max_series);
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
