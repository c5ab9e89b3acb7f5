// SPDX-License-Identifier: Apache-2.0
// scxsnap watch: periodic live captures as JSON Lines, one record per sample:
// {"tag":"periodic_000","elapsed_ms":0,"report":{…}}, or as one native series
// (--format native / *.scxsnap). A capture that fails is recorded as a
// placeholder with its reason — also when the maps it watches went away (the
// scheduler exited): every sample taken is kept. Samples start on a
// start-to-start schedule; one that starts late (the previous capture took
// longer than the interval) is counted and said. SIGINT/SIGTERM end the
// series at once (a capture under way ends as a truncated sample); the file
// is renamed into place, complete, and the exit code is 128 + the signal.
#include "capture_options.hpp"
#include "commands.hpp"
#include "human.hpp"
#include "scxsnap/capture.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/sample_series.hpp"
#include "stop_signal.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <thread>
#include <unistd.h>

namespace scxsnap::cli {
namespace {

// Sleeps until `until` or a signal: nanosleep returns early with EINTR
// because the stop handlers are installed without SA_RESTART.
void sleep_until(std::chrono::steady_clock::time_point until, const StopSignal& stop) {
  while (!stop.requested()) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) return;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    struct timespec ts {
      static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)
    };
    if (::nanosleep(&ts, nullptr) == 0) return;
  }
}

}  // namespace

void add_watch(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "watch", "Capture periodically into a series (JSON Lines, or a native series file)");
  struct Opts {
    CaptureFlags f;
    std::uint64_t interval_ms = 1000;
    std::optional<std::uint64_t> count;
    std::optional<double> duration_s;
    std::string out;
    std::string format;
    bool quiet = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--interval-ms", o->interval_ms, "time between capture starts (1 to 86400000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{86400000}))
      ->capture_default_str();
  auto* count = cmd->add_option("--count", o->count, "number of samples (1 to 100000000)")
                    ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  cmd->add_option("--duration-s", o->duration_s,
                  "sample for this long instead of --count (0.001 to 31536000)")
      ->check(CLI::Range(0.001, 31536000.0))
      ->excludes(count);
  cmd->add_option("-o,--output", o->out,
                  "JSON Lines output ('-' = stdout); written to a temporary file and renamed when "
                  "the series ends, so an existing file is replaced only by a complete series")
      ->required();
  cmd->add_option("--format", o->format,
                  "jsonl (JSON Lines, the default) or native (one native series file: raw bytes + "
                  "BTF, a map stored again only as far as it changed; check, diff and report "
                  "read it). An output file named *.scxsnap is native unless --format jsonl")
      ->check(CLI::IsMember({"jsonl", "native"}));
  cmd->add_flag("-q,--quiet", o->quiet, "no progress and no result line on stderr");
  add_capture_flags(cmd, o->f);
  cmd->callback([o, &exit_code] {
    o->f.finish();
    if (!o->count && !o->duration_s) {
      std::fprintf(stderr, "scxsnap: watch needs --count or --duration-s\n");
      exit_code = kBadInput;
      return;
    }
    const bool native =
        o->format == "native" || (o->format.empty() && o->out.ends_with(".scxsnap"));
    std::optional<OutputFile> file;
    std::optional<NativeSeriesWriter> series;
    if (native) {
      auto w = NativeSeriesWriter::create(o->out);
      if (!w) {
        exit_code = report_error(w.error());
        return;
      }
      series.emplace(std::move(*w));
    } else {
      auto f = OutputFile::create(o->out);
      if (!f) {
        exit_code = report_error(f.error());
        return;
      }
      file.emplace(std::move(*f));
    }
    StopSignal stop;
    o->f.c.cancel = &stop.flag();  // a long capture stops too, as a truncated sample
    // One session for every sample: BTF, layout plans and map descriptions
    // are read once, not once a sample.
    auto session = CaptureSession::open(o->f.c);
    if (!session) {
      exit_code = report_error(session.error());
      return;
    }
    const bool tty = ::isatty(STDERR_FILENO) && !o->quiet;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed_ms = [&] {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count());
    };
    exit_code = kOk;
    const auto interval = std::chrono::milliseconds(o->interval_ms);
    std::uint64_t written = 0, placeholders = 0, late = 0;
    std::chrono::steady_clock::duration longest{};
    std::string first_gap;  // the first placeholder's reason
    auto next = start;      // the scheduled start of the current sample
    for (std::uint64_t i = 0; !stop.requested(); ++i) {
      if (o->count && i >= *o->count) break;
      if (o->duration_s && elapsed_ms() >= static_cast<std::uint64_t>(*o->duration_s * 1000)) break;
      const auto began = std::chrono::steady_clock::now();
      SampleRow row;
      row.tag = fmt::format("periodic_{:03}", i);
      row.elapsed_ms = elapsed_ms();
      // One sample: into the native series (raw), or a JSON Lines record.
      Result<void> stored;
      std::string report_json;
      Error failed(ErrorCode::Internal, "");
      bool ok = true;
      if (series) {
        auto r = series->capture(*session, row.tag, *row.elapsed_ms);
        if (!r) {
          ok = false;
          failed = r.error();
        }
      } else {
        // The sample's JSON as capture writes it, never a tree: memory is
        // the text of one sample.
        auto r = session->capture_json();
        if (r)
          report_json = std::move(*r);
        else {
          ok = false;
          failed = r.error();
        }
      }
      if (!ok) {
        // No capture can work from the start (no permission, a filter that
        // matches nothing): stop now; the old file, if any, is left as it was.
        // Later, the maps went away: a placeholder, and the series goes on.
        const bool hopeless =
            failed.code() == ErrorCode::PermissionDenied || failed.code() == ErrorCode::NotFound;
        if (hopeless && written == 0) {
          exit_code = report_error(failed);
          if (failed.code() == ErrorCode::NotFound) exit_code = kAbsent;
          return;
        }
        row.report = FailureDumpReport::placeholder(failed.message());
        if (placeholders++ == 0) first_gap = fmt::format("{}: {}", row.tag, failed.message());
        if (series) stored = series->add_report(row.tag, *row.elapsed_ms, row.report);
      }
      if (file)
        stored = file->write((ok ? SampleSeries::to_jsonl_line(row, report_json)
                                 : SampleSeries::to_jsonl_line(row)) +
                             "\n");
      if (!stored) {
        exit_code = report_error(stored.error());
        return;
      }
      ++written;
      const auto now = std::chrono::steady_clock::now();
      longest = std::max(longest, now - began);
      if (tty)
        std::fprintf(stderr, "\r\033[Kscxsnap watch: %s at +%llums", row.tag.c_str(),
                     static_cast<unsigned long long>(*row.elapsed_ms));
      // Start to start: the next sample at the next tick; when this one ran
      // past it, the next starts at once (counted) and the schedule follows.
      next += interval;
      if (now > next) {
        ++late;
        next = now;
      }
      sleep_until(next, stop);
    }
    if (tty) std::fprintf(stderr, "\n");
    if (auto c = series ? series->commit() : file->commit(); !c) {
      exit_code = report_error(c.error());
      return;
    }
    if (!o->quiet) {
      std::string said;
      if (placeholders)
        said += fmt::format("; {} placeholder sample{} (first {})", placeholders,
                            placeholders == 1 ? "" : "s", first_gap);
      if (late)
        said += fmt::format(
            "; {} sample{} started late: a capture took up to {} against a {} ms interval", late,
            late == 1 ? "" : "s",
            human_us(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(longest).count())),
            o->interval_ms);
      std::fprintf(stderr, "scxsnap: %llu sample%s in %s -> %s%s%s\n",
                   static_cast<unsigned long long>(written), written == 1 ? "" : "s",
                   human_us(elapsed_ms() * 1000).c_str(), o->out == "-" ? "stdout" : o->out.c_str(),
                   stop.requested() ? " (stopped by a signal)" : "", said.c_str());
    }
    // Stopped by a signal: the series is complete, and the exit says how it ended.
    if (stop.requested()) exit_code = 128 + (stop.signal_number() ? stop.signal_number() : SIGINT);
  });
}

}  // namespace scxsnap::cli
