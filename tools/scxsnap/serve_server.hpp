// SPDX-License-Identifier: Apache-2.0
// `scxsnap serve`: a small read-only HTTP server (cpp-httplib) for fleets.
//   GET /metrics   one capture per scrape as Prometheus text; scrapes that
//                  arrive while a capture runs share its result
//   GET /snapshot  ?format=json|native&obj=..&map=..&map_id=..: a capture,
//                  streamed as it is written (native: through a private
//                  temporary file), rate-limited
//   GET /healthz   "ok"
// Safe by default: loopback or a Unix socket (mode 0600/0660), an optional
// bearer token compared in constant time, bounded worker threads, read and
// write deadlines, request-size limits, one log line per request.
#pragma once

#include "scxsnap/capture.hpp"
#include "scxsnap/metrics.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace scxsnap::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:9421";  ///< HOST:PORT or unix:PATH
  unsigned socket_mode = 0600;            ///< of a Unix socket
  std::optional<std::string> token;       ///< bearer token (from --token-file)
  unsigned threads = 4;                   ///< requests served at once
  unsigned timeout_s = 5;                 ///< read/write deadline of a request
  double snapshots_per_minute = 6;        ///< /snapshot rate limit (a token bucket)
  CaptureOptions capture;                 ///< what /metrics captures
  metrics::MetricsOptions metrics;
  std::function<void(const std::string&)> log;  ///< one line per request
};

/// Serves until `stop` is set (SIGTERM, SIGINT): the listening socket is
/// closed, requests in flight finish (a capture is cut as `capture` cuts on
/// a signal). Errors: the address cannot be bound.
Result<void> serve(const ServeOptions& o, const std::atomic<bool>& stop);

/// `a` and `b` equal, in time that depends on their lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace scxsnap::cli
