// SPDX-License-Identifier: Apache-2.0
// SnapshotBridge: a thread-safe store of captured reports by tag (ktstr's
// bridge, spec §3.7): FIFO eviction at 64 reports, overwrite by tag, a
// 1,024-event log with a truncation marker, ordered drains with the parallel
// stats / elapsed / boundary / step data, and a thread-local active bridge.
// Copies of a bridge share one store. Left out, because they only make sense
// inside ktstr's VM: watchpoint registration, kernel-op callbacks, accessor
// worker waits and cgroup-procs logs.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace scxsnap {

inline constexpr std::size_t kMaxStoredSnapshots = 64;
inline constexpr std::size_t kMaxStoredEvents = 1024;

namespace bridge_events {
struct SCXSNAP_API CaptureUnavailable {
  std::string tag;
  friend bool operator==(const CaptureUnavailable&, const CaptureUnavailable&) = default;
};
struct SCXSNAP_API Overwrite {
  std::string tag, prior_schema;
  friend bool operator==(const Overwrite&, const Overwrite&) = default;
};
struct SCXSNAP_API Eviction {
  std::string evicted_tag, new_tag;
  std::size_t cap = 0;
  friend bool operator==(const Eviction&, const Eviction&) = default;
};
struct SCXSNAP_API DrainOrderingInvariantViolation {
  std::string tag, drain_variant;
  friend bool operator==(const DrainOrderingInvariantViolation&,
                         const DrainOrderingInvariantViolation&) = default;
};
struct SCXSNAP_API CapInvariantViolation {
  std::size_t reports_len = 0, cap = 0;
  friend bool operator==(const CapInvariantViolation&, const CapInvariantViolation&) = default;
};
struct SCXSNAP_API EventLogTruncated {
  std::uint64_t dropped_count = 0;
  friend bool operator==(const EventLogTruncated&, const EventLogTruncated&) = default;
};
}  // namespace bridge_events

using SnapshotBridgeEvent =
    std::variant<bridge_events::CaptureUnavailable, bridge_events::Overwrite,
                 bridge_events::Eviction, bridge_events::DrainOrderingInvariantViolation,
                 bridge_events::CapInvariantViolation, bridge_events::EventLogTruncated>;

/// Stats of a sample: the scheduler-stats document, or why there is none.
using StatsResult = std::variant<JsonValue, MissingStatsReason>;

struct SCXSNAP_API DrainedSnapshotEntry {
  std::string tag;
  FailureDumpReport report;
  StatsResult stats;
  std::optional<std::uint64_t> elapsed_ms;
  std::optional<std::uint64_t> boundary_offset_ms;
  std::optional<std::uint16_t> step_index;
};

class SCXSNAP_API SnapshotBridge {
 public:
  using CaptureCallback = std::function<std::optional<FailureDumpReport>(std::string_view tag)>;

  explicit SnapshotBridge(CaptureCallback capture = {});

  /// Capture through the callback and store under `tag`; false (and a
  /// CaptureUnavailable event) when the callback returns nothing.
  bool capture(std::string_view tag);
  bool capture_with_step(std::string_view tag, std::uint16_t step);
  void store(std::string_view tag, FailureDumpReport report);
  void store_with_stats(std::string_view tag, FailureDumpReport report,
                        std::optional<StatsResult> stats, std::optional<std::uint64_t> elapsed_ms);
  void store_with_stats_and_step(std::string_view tag, FailureDumpReport report,
                                 std::optional<StatsResult> stats,
                                 std::optional<std::uint64_t> elapsed_ms,
                                 std::optional<std::uint64_t> boundary_offset_ms,
                                 std::uint16_t step_index);

  std::size_t len() const;
  bool is_empty() const { return len() == 0; }
  bool has(std::string_view tag) const;
  /// Stored tags of the exact form "periodic_" + 3 digits that are not placeholders.
  std::uint32_t periodic_real_count() const;

  std::map<std::string, FailureDumpReport> drain();
  std::vector<std::pair<std::string, FailureDumpReport>> drain_ordered();
  std::vector<DrainedSnapshotEntry> drain_ordered_with_stats();
  /// The event log (with an EventLogTruncated marker when events were dropped).
  std::vector<SnapshotBridgeEvent> drain_events();
  std::size_t event_count() const;

  /// Make this bridge the calling thread's active one until the guard dies.
  class Guard {
   public:
    ~Guard();
    Guard(Guard&&) = delete;

   private:
    friend class SnapshotBridge;
    explicit Guard(std::shared_ptr<void> previous) : previous_(std::move(previous)) {}
    std::shared_ptr<void> previous_;
  };
  [[nodiscard]] std::unique_ptr<Guard> set_thread_local() const;

  struct State;  // shared by copies

 private:
  std::shared_ptr<State> state_;
  template <class R>
  friend SCXSNAP_API std::optional<R> with_active_bridge(
      const std::function<R(SnapshotBridge&)>& f);
  explicit SnapshotBridge(std::shared_ptr<State> s) : state_(std::move(s)) {}

 public:
  /// The calling thread's active store (null when none); see with_active_bridge.
  static std::shared_ptr<State> active_state();
};

/// Run `f` with the calling thread's active bridge; nullopt (f not called) when none.
template <class R>
std::optional<R> with_active_bridge(const std::function<R(SnapshotBridge&)>& f) {
  auto s = SnapshotBridge::active_state();
  if (!s) return std::nullopt;
  SnapshotBridge b(s);
  return f(b);
}

}  // namespace scxsnap
