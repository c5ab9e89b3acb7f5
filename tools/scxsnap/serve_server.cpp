// SPDX-License-Identifier: Apache-2.0
// The server of `scxsnap serve` (serve_server.hpp).
#include "serve_server.hpp"

#include "scxsnap/output_file.hpp"
#include "serve_query.hpp"

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <httplib.h>
#include <mutex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace scxsnap::cli {

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

namespace {

// cpp-httplib 0.11 listens on TCP only; its accept loop takes any listening
// stream socket, so a Unix socket is bound here and handed to it.
class Server : public httplib::Server {
 public:
  Result<void> bind_unix(const std::string& path, unsigned mode) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path)
      return Error(ErrorCode::InvalidArgument, fmt::format("unix socket path too long: {}", path));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error(ErrorCode::Io, fmt::format("socket: {}", std::strerror(errno)));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    // A socket left by an earlier run is replaced; any other file is not.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
    // Created with no access, then given its mode: never open to others.
    const mode_t old = ::umask(0777);
    const int b = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::umask(old);
    if (b != 0 || ::chmod(path.c_str(), mode) != 0 || ::listen(fd, 64) != 0) {
      const int err = errno;
      ::close(fd);
      return Error(ErrorCode::Io,
                   fmt::format("cannot listen on unix:{}: {}", path, std::strerror(err)));
    }
    svr_sock_ = fd;
    return {};
  }
};

// /metrics: one capture at a time through one session; a scrape that comes
// while one runs waits for it and answers with its result.
class Scraper {
 public:
  explicit Scraper(const ServeOptions& o) : o_(o) {}

  std::pair<int, std::string> scrape() {
    std::unique_lock l(m_);
    if (busy_) {
      const std::uint64_t gen = done_;
      cv_.wait(l, [&] { return done_ != gen; });
      return last_;
    }
    busy_ = true;
    l.unlock();
    std::pair<int, std::string> out = capture();
    l.lock();
    last_ = out;
    ++done_;
    busy_ = false;
    cv_.notify_all();
    return out;
  }

 private:
  std::pair<int, std::string> capture() {
    if (!session_) {
      auto s = CaptureSession::open(o_.capture);
      if (!s) return {500, s.error().message() + "\n"};
      session_.emplace(std::move(*s));
    }
    auto r = session_->capture();
    if (!r)
      return {r.error().code() == ErrorCode::PermissionDenied ? 403 : 500,
              r.error().message() + "\n"};
    return {200, metrics::to_prometheus(*r, o_.metrics).text};
  }

  const ServeOptions& o_;
  std::mutex m_;
  std::condition_variable cv_;
  bool busy_ = false;
  std::uint64_t done_ = 0;
  std::pair<int, std::string> last_;
  std::optional<CaptureSession> session_;
};

// A token bucket: `per_minute` tokens a minute, at most max(1, per_minute) saved.
class RateLimit {
 public:
  explicit RateLimit(double per_minute)
      : rate_(per_minute / 60.0), cap_(std::max(1.0, per_minute)), tokens_(cap_) {}
  bool take() {
    std::lock_guard l(m_);
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(cap_, tokens_ + rate_ * std::chrono::duration<double>(now - at_).count());
    at_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  std::mutex m_;
  double rate_, cap_, tokens_;
  std::chrono::steady_clock::time_point at_ = std::chrono::steady_clock::now();
};

// What /snapshot was asked for, as capture options.
Result<CaptureOptions> snapshot_options(const httplib::Request& req, const CaptureOptions& base,
                                        std::string& format) {
  SCXSNAP_TRY(SnapshotQuery q, parse_snapshot_query(req.target));
  CaptureOptions c = base;
  c.obj_prefixes = std::move(q.objs);
  c.map_names = std::move(q.maps);
  c.map_ids = std::move(q.map_ids);
  format = q.format;
  return c;
}

int status_of(const Error& e) {
  switch (e.code()) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::BadInput:
      return 400;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::PermissionDenied:
      return 403;
    default:
      return 500;
  }
}

void snapshot(const httplib::Request& req, httplib::Response& res, const ServeOptions& o,
              const std::atomic<bool>& stop) {
  std::string format;
  auto c = snapshot_options(req, o.capture, format);
  if (!c) {
    res.status = 400;
    res.set_content(c.error().message() + "\n", "text/plain");
    return;
  }
  c->cancel = &stop;
  if (format == "json") {
    // The capture runs as the response is sent: written straight to the socket.
    auto opts = std::make_shared<CaptureOptions>(std::move(*c));
    res.set_chunked_content_provider(
        "application/json", [opts](std::size_t, httplib::DataSink& sink) {
          auto r = capture_json(*opts, [&](std::string_view chunk) -> Result<void> {
            if (!sink.write(chunk.data(), chunk.size()))
              return Error(ErrorCode::Io, "the client went away");
            return {};
          });
          if (r) sink.write("\n", 1);
          sink.done();
          return true;
        });
    return;
  }
  // Native: written to a private temporary file (the format puts its index
  // last), then streamed from it and removed.
  char dir[] = "/tmp/scxsnap-serve-XXXXXX";
  if (!::mkdtemp(dir)) {
    res.status = 500;
    res.set_content("cannot make a temporary directory\n", "text/plain");
    return;
  }
  const std::string path = std::string(dir) + "/snapshot.scxsnap";
  auto s = capture_native(*c, path);
  if (!s) {
    std::filesystem::remove_all(dir);
    res.status = status_of(s.error());
    res.set_content(s.error().message() + "\n", "text/plain");
    return;
  }
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  const auto size = std::filesystem::file_size(path);
  std::filesystem::remove_all(dir);  // the open stream keeps the bytes
  res.set_content_provider(size, "application/octet-stream",
                           [in](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             std::string buf(std::min<std::size_t>(length, 1 << 20), '\0');
                             in->seekg(static_cast<std::streamoff>(offset));
                             in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
                             return sink.write(buf.data(), static_cast<std::size_t>(in->gcount()));
                           });
}

}  // namespace

Result<void> serve(const ServeOptions& o, const std::atomic<bool>& stop) {
  Server svr;
  const unsigned threads = std::max(1u, o.threads);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  Scraper scraper(o);
  RateLimit snapshots(o.snapshots_per_minute);
  svr.set_read_timeout(static_cast<time_t>(o.timeout_s), 0);
  svr.set_write_timeout(static_cast<time_t>(o.timeout_s), 0);
  svr.set_keep_alive_timeout(static_cast<time_t>(std::min(o.timeout_s, 5u)));
  svr.set_payload_max_length(0);  // no endpoint takes a body
  // Headers and body go out as written: with Nagle's algorithm a small
  // response waited for the client's delayed ACK (40 ms a scrape).
  svr.set_tcp_nodelay(true);
  // Everything but /healthz needs the token, when there is one.
  svr.set_pre_routing_handler([&o](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
      res.status = 405;
      res.set_content("read-only: GET only\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!o.token || req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    const std::string_view prefix = "Bearer ";
    if (!auth.starts_with(prefix) ||
        !constant_time_equal(std::string_view(auth).substr(prefix.size()), *o.token)) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("a bearer token is needed\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  svr.Get("/metrics", [&scraper](const httplib::Request&, httplib::Response& res) {
    auto [status, body] = scraper.scrape();
    res.status = status;
    res.set_content(body,
                    status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
  });
  svr.Get("/snapshot", [&](const httplib::Request& req, httplib::Response& res) {
    if (!snapshots.take()) {
      res.status = 429;
      res.set_header("Retry-After", "10");
      res.set_content("too many snapshots: try later\n", "text/plain");
      return;
    }
    snapshot(req, res, o, stop);
  });
  if (o.log)
    svr.set_logger([&o](const httplib::Request& req, const httplib::Response& res) {
      o.log(fmt::format("{} {} {} {} {}", req.remote_addr.empty() ? "unix" : req.remote_addr,
                        req.method, req.path, res.status, res.body.size()));
    });

  if (o.listen.starts_with("unix:")) {
    SCXSNAP_TRY_VOID(svr.bind_unix(o.listen.substr(5), o.socket_mode));
  } else {
    const auto colon = o.listen.rfind(':');
    if (colon == std::string::npos)
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("--listen {}: HOST:PORT or unix:PATH", o.listen));
    std::string host = o.listen.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    int port = 0;
    const std::string p = o.listen.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port <= 0 || port > 65535)
      return Error(ErrorCode::InvalidArgument, fmt::format("--listen {}: bad port", o.listen));
    if (!svr.bind_to_port(host, port))
      return Error(ErrorCode::Io,
                   fmt::format("cannot listen on {}: {}", o.listen, std::strerror(errno)));
  }
  // Stop on request: the accept loop ends when the server is stopped.
  std::atomic<bool> ended{false};
  std::thread watcher([&] {
    while (!stop.load() && !ended.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    svr.stop();
  });
  const bool ok = svr.listen_after_bind();
  ended.store(true);
  watcher.join();
  if (o.listen.starts_with("unix:")) ::unlink(o.listen.substr(5).c_str());
  if (!ok && !stop.load()) return Error(ErrorCode::Io, "the server stopped accepting connections");
  return {};
}

}  // namespace scxsnap::cli
