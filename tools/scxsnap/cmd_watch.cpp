// SPDX-License-Identifier: Apache-2.0
// scxsnap watch: periodic live captures as JSON Lines, one record per sample:
// {"tag":"periodic_000","elapsed_ms":0,"report":{…}}. A capture that fails is
// recorded as a placeholder with its reason. Ctrl-C ends after the current
// line; every written line is complete.
#include "capture_options.hpp"
#include "commands.hpp"
#include "scxsnap/sample_series.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <thread>
#include <unistd.h>

namespace scxsnap::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop = true;
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

void add_watch(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("watch", "Capture periodically into a JSON Lines series");
  struct Opts {
    CaptureFlags f;
    std::uint64_t interval_ms = 1000;
    std::optional<std::uint64_t> count;
    std::optional<double> duration_s;
    std::string out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--interval-ms", o->interval_ms, "time between capture starts")
      ->check(CLI::PositiveNumber);
  auto* count = cmd->add_option("--count", o->count, "number of samples");
  cmd->add_option("--duration-s", o->duration_s, "sample for this long instead of --count")
      ->excludes(count);
  cmd->add_option("-o,--output", o->out, "JSON Lines output file (mode 0600)")->required();
  add_capture_flags(cmd, o->f);
  cmd->callback([o, &exit_code] {
    o->f.finish();
    if (!o->count && !o->duration_s) {
      std::fprintf(stderr, "scxsnap: watch needs --count or --duration-s\n");
      exit_code = kBadInput;
      return;
    }
    int fd = ::open(o->out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      exit_code = report_error(
          Error(ErrorCode::Io, fmt::format("cannot create {}: {}", o->out, std::strerror(errno))));
      return;
    }
    g_stop = false;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const bool tty = ::isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto elapsed_ms = [&] {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
    };
    exit_code = kOk;
    for (std::uint64_t i = 0; !g_stop; ++i) {
      if (o->count && i >= *o->count) break;
      if (o->duration_s && elapsed_ms() >= static_cast<std::uint64_t>(*o->duration_s * 1000)) break;
      SampleRow row;
      row.tag = fmt::format("periodic_{:03}", i);
      row.elapsed_ms = elapsed_ms();
      auto r = capture(o->f.c);
      if (r) {
        row.report = std::move(*r);
      } else {
        if (r.error().code() == ErrorCode::PermissionDenied) {  // no capture will work: stop now
          ::close(fd);
          exit_code = report_error(r.error());
          return;
        }
        row.report = FailureDumpReport::placeholder(r.error().message());
      }
      std::string line = SampleSeries::to_jsonl_line(row) + "\n";
      if (!write_all(fd, line)) {
        exit_code = report_error(
            Error(ErrorCode::Io, fmt::format("cannot write {}: {}", o->out, std::strerror(errno))));
        break;
      }
      if (tty)
        std::fprintf(stderr, "\r\033[Kscxsnap watch: %s at +%llums", row.tag.c_str(),
                     static_cast<unsigned long long>(*row.elapsed_ms));
      auto next = start + std::chrono::milliseconds(o->interval_ms * (i + 1));
      while (!g_stop && std::chrono::steady_clock::now() < next)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (tty) std::fprintf(stderr, "\n");
    ::fsync(fd);
    ::close(fd);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  });
}

}  // namespace scxsnap::cli
