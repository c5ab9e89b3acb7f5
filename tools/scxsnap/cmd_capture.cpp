// SPDX-License-Identifier: Apache-2.0
// scxsnap capture: the running kernel's BPF and scheduler state as a report.
#include "capture_options.hpp"
#include "commands.hpp"
#include "scxsnap/capture.hpp"

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
    bool pretty = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("-o,--output", o->out,
                  "output file ('-' = stdout); written atomically, mode 0600");
  add_capture_flags(cmd, o->f);
  cmd->add_flag("--pretty", o->pretty, "indent the output");
  cmd->callback([o, &exit_code] {
    o->f.finish();
    // Progress on a terminal, once the capture has taken more than a second.
    const bool tty = ::isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    o->f.c.progress = [tty, start](const std::string& line) {
      if (!tty || std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) return;
      std::fprintf(stderr, "\r\033[Kscxsnap: %s", line.c_str());
    };
    auto json = capture_json(o->f.c, o->pretty ? JsonStyle::Pretty : JsonStyle::Compact);
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
