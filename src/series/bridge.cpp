// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/bridge.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace scxsnap {

struct SnapshotBridge::State {
  mutable std::mutex mu;
  CaptureCallback capture;
  std::unordered_map<std::string, FailureDumpReport> reports;
  std::unordered_map<std::string, StatsResult> stats;
  std::unordered_map<std::string, std::uint64_t> elapsed_ms, boundary_offset_ms;
  std::unordered_map<std::string, std::uint16_t> step_index;
  std::deque<std::string> order;
  std::vector<SnapshotBridgeEvent> events;
  std::uint64_t events_dropped = 0;

  void push_event(SnapshotBridgeEvent e) {
    if (events.size() >= kMaxStoredEvents) {
      events.erase(events.begin());
      if (events_dropped != UINT64_MAX) ++events_dropped;
    }
    events.push_back(std::move(e));
  }
  template <class M, class V>
  static void set_or_clear(M& m, const std::string& tag, const std::optional<V>& v) {
    if (v)
      m[tag] = *v;
    else
      m.erase(tag);
  }
  void clear_parallel() {
    stats.clear();
    elapsed_ms.clear();
    boundary_offset_ms.clear();
    step_index.clear();
  }
  void erase_parallel(const std::string& tag) {
    stats.erase(tag);
    elapsed_ms.erase(tag);
    boundary_offset_ms.erase(tag);
    step_index.erase(tag);
  }

  void store(const std::string& tag, FailureDumpReport report, std::optional<StatsResult> st,
             std::optional<std::uint64_t> el, std::optional<std::uint64_t> bo,
             std::optional<std::uint16_t> step) {
    std::lock_guard lock(mu);
    auto it = reports.find(tag);
    if (it != reports.end()) {
      // Overwrite: replace, move to the back, replace-or-clear every parallel slot, no eviction
      // pass.
      push_event(bridge_events::Overwrite{tag, it->second.schema});
      it->second = std::move(report);
      order.erase(std::remove(order.begin(), order.end(), tag), order.end());
      order.push_back(tag);
      set_or_clear(stats, tag, st);
      set_or_clear(elapsed_ms, tag, el);
      set_or_clear(boundary_offset_ms, tag, bo);
      set_or_clear(step_index, tag, step);
      return;
    }
    reports.emplace(tag, std::move(report));
    order.push_back(tag);
    if (st) stats[tag] = *st;
    if (el) elapsed_ms[tag] = *el;
    if (bo) boundary_offset_ms[tag] = *bo;
    if (step) step_index[tag] = *step;
    while (reports.size() > kMaxStoredSnapshots) {
      if (order.empty()) {
        push_event(bridge_events::CapInvariantViolation{reports.size(), kMaxStoredSnapshots});
        reports.clear();
        clear_parallel();
        return;
      }
      std::string old = order.front();
      order.pop_front();
      if (reports.erase(old)) push_event(bridge_events::Eviction{old, tag, kMaxStoredSnapshots});
      erase_parallel(old);
    }
  }

  // Reports in order; orphans (in reports but not in order) at the tail.
  std::vector<std::string> take_order(const char* variant) {
    std::vector<std::string> tags;
    for (const auto& t : order)
      if (reports.count(t) && std::find(tags.begin(), tags.end(), t) == tags.end())
        tags.push_back(t);
    for (const auto& [t, r] : reports)
      if (std::find(tags.begin(), tags.end(), t) == tags.end()) {
        tags.push_back(t);
        push_event(bridge_events::DrainOrderingInvariantViolation{t, variant});
      }
    order.clear();
    return tags;
  }
};

namespace {
thread_local std::shared_ptr<SnapshotBridge::State> t_active;
}

SnapshotBridge::SnapshotBridge(CaptureCallback capture) : state_(std::make_shared<State>()) {
  state_->capture = std::move(capture);
}

bool SnapshotBridge::capture(std::string_view tag) {
  std::optional<FailureDumpReport> r = state_->capture ? state_->capture(tag) : std::nullopt;
  if (!r) {
    std::lock_guard lock(state_->mu);
    state_->push_event(bridge_events::CaptureUnavailable{std::string(tag)});
    return false;
  }
  store(tag, std::move(*r));
  return true;
}

bool SnapshotBridge::capture_with_step(std::string_view tag, std::uint16_t step) {
  std::optional<FailureDumpReport> r = state_->capture ? state_->capture(tag) : std::nullopt;
  if (!r) {
    std::lock_guard lock(state_->mu);
    state_->push_event(bridge_events::CaptureUnavailable{std::string(tag)});
    return false;
  }
  state_->store(std::string(tag), std::move(*r), std::nullopt, std::nullopt, std::nullopt, step);
  return true;
}

void SnapshotBridge::store(std::string_view tag, FailureDumpReport report) {
  state_->store(std::string(tag), std::move(report), std::nullopt, std::nullopt, std::nullopt,
                std::nullopt);
}

void SnapshotBridge::store_with_stats(std::string_view tag, FailureDumpReport report,
                                      std::optional<StatsResult> stats,
                                      std::optional<std::uint64_t> elapsed_ms) {
  state_->store(std::string(tag), std::move(report), std::move(stats), elapsed_ms, std::nullopt,
                std::nullopt);
}

void SnapshotBridge::store_with_stats_and_step(std::string_view tag, FailureDumpReport report,
                                               std::optional<StatsResult> stats,
                                               std::optional<std::uint64_t> elapsed_ms,
                                               std::optional<std::uint64_t> boundary_offset_ms,
                                               std::uint16_t step_index) {
  state_->store(std::string(tag), std::move(report), std::move(stats), elapsed_ms,
                boundary_offset_ms, step_index);
}

std::size_t SnapshotBridge::len() const {
  std::lock_guard lock(state_->mu);
  return state_->reports.size();
}

bool SnapshotBridge::has(std::string_view tag) const {
  std::lock_guard lock(state_->mu);
  return state_->reports.count(std::string(tag)) != 0;
}

std::uint32_t SnapshotBridge::periodic_real_count() const {
  std::lock_guard lock(state_->mu);
  std::uint32_t n = 0;
  for (const auto& [tag, r] : state_->reports) {
    bool periodic =
        tag.size() == 12 && tag.starts_with("periodic_") &&
        std::all_of(tag.begin() + 9, tag.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (periodic && !r.is_placeholder && n != UINT32_MAX) ++n;
  }
  return n;
}

std::map<std::string, FailureDumpReport> SnapshotBridge::drain() {
  std::lock_guard lock(state_->mu);
  std::map<std::string, FailureDumpReport> out;
  for (auto& [t, r] : state_->reports) out.emplace(t, std::move(r));
  state_->reports.clear();
  state_->order.clear();
  state_->clear_parallel();
  return out;
}

std::vector<std::pair<std::string, FailureDumpReport>> SnapshotBridge::drain_ordered() {
  std::lock_guard lock(state_->mu);
  std::vector<std::pair<std::string, FailureDumpReport>> out;
  for (const auto& t : state_->take_order("drain_ordered"))
    out.emplace_back(t, std::move(state_->reports[t]));
  state_->reports.clear();
  state_->clear_parallel();
  return out;
}

std::vector<DrainedSnapshotEntry> SnapshotBridge::drain_ordered_with_stats() {
  std::lock_guard lock(state_->mu);
  std::vector<DrainedSnapshotEntry> out;
  State& s = *state_;
  for (const auto& t : s.take_order("drain_ordered_with_stats")) {
    DrainedSnapshotEntry e;
    e.tag = t;
    e.report = std::move(s.reports[t]);
    auto st = s.stats.find(t);
    e.stats = st != s.stats.end() ? st->second : StatsResult(MissingStatsReason{});
    if (auto it = s.elapsed_ms.find(t); it != s.elapsed_ms.end()) e.elapsed_ms = it->second;
    if (auto it = s.boundary_offset_ms.find(t); it != s.boundary_offset_ms.end())
      e.boundary_offset_ms = it->second;
    if (auto it = s.step_index.find(t); it != s.step_index.end()) e.step_index = it->second;
    out.push_back(std::move(e));
  }
  s.reports.clear();
  s.clear_parallel();
  return out;
}

std::vector<SnapshotBridgeEvent> SnapshotBridge::drain_events() {
  std::lock_guard lock(state_->mu);
  std::vector<SnapshotBridgeEvent> out = std::move(state_->events);
  state_->events.clear();
  if (state_->events_dropped > 0) {
    out.push_back(bridge_events::EventLogTruncated{state_->events_dropped});
    state_->events_dropped = 0;
  }
  return out;
}

std::size_t SnapshotBridge::event_count() const {
  std::lock_guard lock(state_->mu);
  return state_->events.size();
}

std::unique_ptr<SnapshotBridge::Guard> SnapshotBridge::set_thread_local() const {
  std::shared_ptr<void> previous = t_active;
  t_active = state_;
  return std::unique_ptr<Guard>(new Guard(std::move(previous)));
}

SnapshotBridge::Guard::~Guard() {
  t_active = std::static_pointer_cast<State>(previous_);
}

std::shared_ptr<SnapshotBridge::State> SnapshotBridge::active_state() {
  return t_active;
}

}  // namespace scxsnap
