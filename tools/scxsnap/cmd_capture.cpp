// SPDX-License-Identifier: Apache-2.0
// scxsnap capture: the running kernel's BPF and scheduler state as a report,
// streamed into the output file (never held whole in memory): ktstr's JSON,
// or a native snapshot (raw bytes + BTF) with --format native / *.scxsnap.
#include "capture_options.hpp"
#include "commands.hpp"
#include "human.hpp"
#include "scxsnap/capture.hpp"
#include "scxsnap/on_exit.hpp"
#include "scxsnap/output_file.hpp"
#include "stop_signal.hpp"

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace scxsnap::cli {
namespace {

// --on-exit and the flags that shape it.
struct OnExitFlags {
  bool on = false;
  int wait_pid = 0;
  std::vector<std::string> until, until_fails;
  std::uint32_t poll_ms = 10;
  double timeout_s = 0;
  std::size_t keep_last = 0;
  std::uint32_t interval_ms = 100;
  std::uint64_t early_ms = 0;
};

void add_on_exit_flags(CLI::App* cmd, OnExitFlags& f) {
  auto* on = cmd->add_flag(
      "--on-exit", f.on,
      "failure capture: hold the selected maps (--obj/--map/--map-id, or the active scheduler) "
      "so the scheduler's exit frees nothing, wait for it to exit or fail, then capture them "
      "(capture.trigger says what fired); JSON output");
  auto needs = [&](CLI::Option* opt) { opt->needs(on); };
  needs(cmd->add_option("--wait-pid", f.wait_pid,
                        "--on-exit: fire when this process (the "
                        "scheduler's loader) exits")
            ->check(CLI::PositiveNumber));
  needs(cmd->add_option("--until", f.until,
                        "--on-exit: fire when this assertion (check's grammar, e.g. "
                        "'each(var:uei.kind).at_least(1)') passes over the newest samples "
                        "(repeatable)"));
  needs(cmd->add_option("--until-fails", f.until_fails,
                        "--on-exit: fire when this assertion fails over the newest samples, "
                        "e.g. 'nondecreasing(var:nr_dispatched)' (repeatable)"));
  needs(cmd->add_option("--poll-ms", f.poll_ms,
                        "--on-exit: how often links, sched_ext state and --until conditions are "
                        "looked at")
            ->check(CLI::Range(1u, 60000u)));
  needs(cmd->add_option("--timeout-s", f.timeout_s, "--on-exit: fire after this many seconds")
            ->check(CLI::PositiveNumber));
  needs(cmd->add_option("--keep-last", f.keep_last,
                        "--on-exit: keep the last N samples in memory and write ktstr's dual "
                        "dump (early = the newest at least --early-ms old, late = at the "
                        "trigger)")
            ->check(CLI::Range(std::size_t{1}, std::size_t{100000})));
  needs(
      cmd->add_option("--interval-ms", f.interval_ms, "--keep-last: one sample every this many ms")
          ->check(CLI::Range(1u, 3600000u)));
  needs(cmd->add_option("--early-ms", f.early_ms,
                        "--keep-last: the early sample is the newest at least this old"));
}

int run_on_exit(const OnExitFlags& f, CaptureOptions c, const std::string& out, bool pretty,
                bool quiet, StopSignal& stop) {
  OnExitOptions o;
  o.capture = std::move(c);
  o.capture.cancel = nullptr;
  if (f.wait_pid > 0) o.wait_pid = f.wait_pid;
  o.until = f.until;
  o.until_fails = f.until_fails;
  o.poll_ms = f.poll_ms;
  o.timeout_ms = static_cast<std::uint64_t>(f.timeout_s * 1000);
  o.keep_last = f.keep_last;
  o.interval_ms = f.interval_ms;
  o.early_ms = f.early_ms;
  o.stop = &stop.flag();
  o.armed = [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "scxsnap: %s\n", line.c_str());
  };
  // The output is checked before arming: a bad path fails now, not at the trigger.
  auto file = OutputFile::create(out);
  if (!file) return report_error(file.error());
  auto r = capture_on_exit(o);
  if (!r) {
    const int code = report_error(r.error());
    return r.error().code() == ErrorCode::NotFound ? kAbsent : code;
  }
  std::string text = to_json(r->dump, pretty ? JsonStyle::Pretty : JsonStyle::Compact);
  text += '\n';
  if (auto w = file->write(text); !w) return report_error(w.error());
  if (auto cm = file->commit(); !cm) return report_error(cm.error());
  if (!quiet)
    std::fprintf(stderr, "scxsnap: %s: %s; captured %zu held map(s) %llu us after -> %s\n",
                 r->trigger.kind.c_str(), r->trigger.detail.c_str(), r->held_map_ids.size(),
                 static_cast<unsigned long long>(r->trigger.event_to_capture_us), out.c_str());
  return kOk;
}

}  // namespace

void add_capture(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("capture", "Capture this machine's BPF maps and scheduler context");
  struct Opts {
    CaptureFlags f;
    std::string out = "-";
    std::string format;
    bool pretty = false;
    bool quiet = false;
    std::string record, replay;
    OnExitFlags on_exit;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-o,--output", o->out,
                  "output file ('-' = stdout); written to a temporary file beside it and "
                  "renamed when complete, mode 0600");
  add_capture_flags(cmd, o->f);
  cmd->add_option("--format", o->format,
                  "json (ktstr's JSON, the default) or native (raw keys and values + BTF, "
                  "zstd-compressed: captured at the speed of the kernel's reads, rendered when "
                  "read; every reading command takes it; see docs/FORMAT.md). An output file "
                  "named *.scxsnap is native unless --format json")
      ->check(CLI::IsMember({"json", "native"}));
  cmd->add_option("--record-kernel", o->record,
                  "also write every answer the kernel gives this capture to this tape "
                  "(zstd-compressed JSON lines, docs/TAPE.md): it replays the capture anywhere");
  cmd->add_option("--replay-kernel", o->replay,
                  "take the kernel's answers from this tape instead of the running kernel (no "
                  "root or BPF needed)")
      ->excludes("--record-kernel");
  add_on_exit_flags(cmd, o->on_exit);
  cmd->add_flag("--pretty", o->pretty, "indent the output (JSON)");
  cmd->add_flag("-q,--quiet", o->quiet, "no progress and no result line on stderr");
  cmd->callback([o, &exit_code] {
    o->f.finish();
    if (!o->record.empty()) o->f.c.record_kernel = o->record;
    if (!o->replay.empty()) o->f.c.replay_kernel = o->replay;
    StopSignal stop;
    o->f.c.cancel = &stop.flag();
    // Progress: redrawn on a terminal, a line every 10 s otherwise.
    const bool tty = ::isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    const bool quiet = o->quiet;
    o->f.c.progress = [tty, start, last, quiet](const std::string& line) mutable {
      if (quiet) return;
      auto now = std::chrono::steady_clock::now();
      if (tty) {
        if (now - start < std::chrono::seconds(1)) return;
        std::fprintf(stderr, "\r\033[Kscxsnap: %s", line.c_str());
      } else if (now - last >= std::chrono::seconds(10)) {
        last = now;
        std::fprintf(stderr, "scxsnap: %s\n", line.c_str());
      }
    };
    const bool native =
        o->format == "native" || (o->format.empty() && o->out.ends_with(".scxsnap"));
    if (o->on_exit.on) {
      if (native || !o->record.empty() || !o->replay.empty()) {
        exit_code = report_error(Error(ErrorCode::InvalidArgument,
                                       "--on-exit writes JSON from the live kernel (no native "
                                       "output, no tapes)"));
        return;
      }
      exit_code = run_on_exit(o->on_exit, o->f.c, o->out, o->pretty, quiet, stop);
      return;
    }
    if (native && o->pretty) {
      exit_code = report_error(Error(ErrorCode::InvalidArgument,
                                     "--pretty applies to JSON; a native snapshot is binary "
                                     "(scxsnap convert --pretty writes its JSON)"));
      return;
    }
    auto s = native ? capture_native(o->f.c, o->out)
                    : capture_to_file(o->f.c, o->out,
                                      o->pretty ? JsonStyle::Pretty : JsonStyle::Compact);
    if (tty && !quiet) std::fprintf(stderr, "\r\033[K");
    if (!s) {
      exit_code = report_error(s.error());
      if (s.error().code() == ErrorCode::NotFound) exit_code = kAbsent;  // a filter matched nothing
      return;
    }
    if (!quiet) std::fprintf(stderr, "%s\n", capture_result_line(*s, o->out).c_str());
    exit_code = kOk;
    if (s->stopped_by == "signal")
      exit_code = 128 + (stop.signal_number() ? stop.signal_number() : 2);
  });
}

}  // namespace scxsnap::cli
