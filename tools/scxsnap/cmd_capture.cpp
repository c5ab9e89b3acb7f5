// SPDX-License-Identifier: Apache-2.0
// scxsnap capture: the running kernel's BPF and scheduler state as a report,
// streamed into the output file (never held whole in memory): ktstr's JSON,
// or a native snapshot (raw bytes + BTF) with --format native / *.scxsnap.
#include "capture_options.hpp"
#include "commands.hpp"
#include "human.hpp"
#include "scxsnap/capture.hpp"
#include "stop_signal.hpp"

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace scxsnap::cli {

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
