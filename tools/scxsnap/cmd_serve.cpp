// SPDX-License-Identifier: Apache-2.0
// scxsnap serve: Prometheus metrics and snapshots over HTTP (serve_server.hpp),
// read-only, on loopback or a Unix socket unless told otherwise.
#include "capture_options.hpp"
#include "commands.hpp"
#include "serve_server.hpp"
#include "stop_signal.hpp"

#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace scxsnap::cli {
namespace {

// CAP_BPF (39) or CAP_SYS_ADMIN (21) in this process's effective set.
bool can_read_bpf() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);) {
    if (!line.starts_with("CapEff:")) continue;
    const std::uint64_t caps = std::strtoull(line.c_str() + 7, nullptr, 16);
    return (caps >> 39 & 1) || (caps >> 21 & 1);
  }
  return false;
}

Result<std::string> read_token(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error(ErrorCode::NotFound,
                 fmt::format("--token-file {}: {}", path, std::strerror(errno)));
  if (st.st_mode & S_IROTH)
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("--token-file {}: readable by every user (chmod o-r it)", path));
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.size() < 16)
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("--token-file {}: a token of at least 16 characters is needed", path));
  return t;
}

bool loopback(const std::string& listen) {
  return listen.starts_with("unix:") || listen.starts_with("127.") ||
         listen.starts_with("[::1]:") || listen.starts_with("localhost:");
}

}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve Prometheus metrics (GET /metrics), snapshots (GET /snapshot) and /healthz over "
      "HTTP, read-only; loopback or a Unix socket unless told otherwise");
  struct Opts {
    ServeOptions s;
    CaptureFlags f;
    std::string mode = "0600", token_file, replay;
    bool quiet = false, no_token = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--listen", o->s.listen, "HOST:PORT, or unix:PATH for a Unix socket")
      ->capture_default_str();
  cmd->add_option("--socket-mode", o->mode, "a Unix socket's mode: 0600 or 0660")
      ->check(CLI::IsMember({"0600", "0660"}))
      ->capture_default_str();
  cmd->add_option("--token-file", o->token_file,
                  "require 'Authorization: Bearer TOKEN' (the file's first line; not readable by "
                  "every user) on every path but /healthz");
  cmd->add_flag("--no-token", o->no_token,
                "allow listening beyond loopback without a token (not recommended)");
  cmd->add_option("--threads", o->s.threads, "requests served at once")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  cmd->add_option("--timeout-s", o->s.timeout_s, "read and write deadline of a request")
      ->check(CLI::Range(1u, 300u))
      ->capture_default_str();
  cmd->add_option("--snapshots-per-minute", o->s.snapshots_per_minute, "/snapshot rate limit")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  add_capture_flags(cmd, o->f);
  cmd->add_option("--replay-kernel", o->replay,
                  "answer from this kernel tape instead of the running kernel (a demo, a test)");
  cmd->add_option("--select", o->s.metrics.select,
                  "/metrics: series matching this glob only (repeatable)");
  cmd->add_flag("--per-cpu", o->s.metrics.per_cpu, "/metrics: per-CPU values per CPU too");
  cmd->add_option("--max-series", o->s.metrics.max_series, "/metrics: at most this many series")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "no line per request on stderr");
  cmd->callback([o, &exit_code] {
    o->f.finish();
    o->s.capture = o->f.c;
    o->s.socket_mode = o->mode == "0660" ? 0660 : 0600;
    if (!o->replay.empty()) o->s.capture.replay_kernel = o->replay;
    if (o->replay.empty() && !can_read_bpf()) {
      exit_code = report_error(Error(
          ErrorCode::PermissionDenied,
          "serve needs CAP_BPF (or CAP_SYS_ADMIN) to read BPF maps, and CAP_PERFMON for kernel "
          "memory: run it as root or give it those capabilities (the shipped systemd unit does)"));
      return;
    }
    if (!o->token_file.empty()) {
      auto t = read_token(o->token_file);
      if (!t) {
        exit_code = report_error(t.error());
        return;
      }
      o->s.token = std::move(*t);
    } else if (!loopback(o->s.listen) && !o->no_token) {
      exit_code =
          report_error(Error(ErrorCode::InvalidArgument,
                             fmt::format("--listen {} is beyond loopback: give --token-file "
                                         "(or --no-token)",
                                         o->s.listen)));
      return;
    }
    if (!o->quiet)
      o->s.log = [](const std::string& line) {
        char when[32];
        const std::time_t now = std::time(nullptr);
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        std::fprintf(stderr, "%s %s\n", when, line.c_str());
      };
    StopSignal stop;
    std::fprintf(stderr, "scxsnap: serving on %s (GET /metrics, /snapshot, /healthz)\n",
                 o->s.listen.c_str());
    auto r = serve(o->s, stop.flag());
    if (!r) {
      exit_code = report_error(r.error());
      return;
    }
    std::fprintf(stderr, "scxsnap: stopped\n");
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
