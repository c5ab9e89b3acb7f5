// SnapshotBridge (spec §5.11, the cases that apply outside ktstr's VM).
#include "snapshot_fixtures.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

using namespace scxsnap;
using namespace fx;
using namespace scxsnap::bridge_events;
using ::testing::ElementsAre;

namespace {

FailureDumpReport report_with(std::uint64_t v) {
  return make_report_with_maps(
      {make_global_map("o.bss", {{"v", uint_v(v)}}), hash_map("h", {}), hash_map("g", {})});
}
std::string tag(int i) {
  return fmt::format("tag_{:04}", i);
}

TEST(Bridge, CaptureStoresOrRecordsUnavailable) {
  SnapshotBridge b(
      [](std::string_view) { return std::optional<FailureDumpReport>(report_with(1)); });
  EXPECT_TRUE(b.capture("t"));
  EXPECT_EQ(b.len(), 1u);
  auto d = b.drain();
  ASSERT_EQ(d.count("t"), 1u);
  EXPECT_EQ(d["t"].maps.size(), 3u);
  SnapshotBridge none([](std::string_view) { return std::optional<FailureDumpReport>(); });
  EXPECT_FALSE(none.capture("x"));
  EXPECT_TRUE(none.is_empty());
  auto ev = none.drain_events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<CaptureUnavailable>(ev[0]).tag, "x");
}

TEST(Bridge, ThreadLocalActiveBridge) {
  SnapshotBridge b(
      [](std::string_view) { return std::optional<FailureDumpReport>(report_with(1)); });
  auto cap = [](SnapshotBridge& x) { return x.capture("t"); };
  EXPECT_FALSE(with_active_bridge<bool>(cap).has_value());
  {
    auto guard = b.set_thread_local();
    EXPECT_EQ(with_active_bridge<bool>(cap), true);
  }
  EXPECT_FALSE(with_active_bridge<bool>(cap).has_value());
  SnapshotBridge clone = b;
  EXPECT_EQ(clone.len(), 1u);
}

TEST(Bridge, ConcurrentStoresAreSafe) {
  SnapshotBridge b;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) b.store(fmt::format("t{}_{}", t, i), FailureDumpReport{});
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(b.len(), kMaxStoredSnapshots);
}

TEST(Bridge, FifoEvictionAtTheCap) {
  SnapshotBridge b;
  for (int i = 0; i < 64; ++i) b.store(tag(i), report_with(static_cast<std::uint64_t>(i)));
  b.store(tag(64), report_with(64));
  EXPECT_EQ(b.len(), 64u);
  EXPECT_FALSE(b.has(tag(0)));
  EXPECT_TRUE(b.has(tag(1)));
  EXPECT_TRUE(b.has(tag(64)));
  auto ev = b.drain_events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::get<Eviction>(ev[0]), (Eviction{tag(0), tag(64), 64}));
}

TEST(Bridge, OverwriteMovesToTheBackWithoutEviction) {
  SnapshotBridge b;
  for (int i = 0; i < 64; ++i) b.store(tag(i), report_with(0));
  b.store(tag(0), report_with(99));  // overwrite at the cap: no eviction
  EXPECT_EQ(b.len(), 64u);
  b.store("new", report_with(1));
  EXPECT_FALSE(b.has(tag(1)));  // tag_0001 is now the oldest
  EXPECT_TRUE(b.has(tag(0)));
  auto d = b.drain();
  EXPECT_EQ(Snapshot(d[tag(0)]).var("v").as_u64().value(), 99u);
}

TEST(Bridge, DrainOrderedKeepsInsertionOrder) {
  SnapshotBridge b;
  for (const char* t : {"c", "a", "b"}) b.store(t, report_with(1));
  auto d = b.drain_ordered();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].first, "c");
  EXPECT_EQ(d[2].first, "b");
  EXPECT_TRUE(b.drain_ordered().empty());
  for (const char* t : {"a", "b", "c"}) b.store(t, report_with(1));
  b.store("a", report_with(7));
  auto d2 = b.drain_ordered();
  EXPECT_EQ(d2[0].first, "b");
  EXPECT_EQ(d2[2].first, "a");
  EXPECT_EQ(Snapshot(d2[2].second).var("v").as_u64().value(), 7u);
}

TEST(Bridge, StatsElapsedBoundaryAndStep) {
  SnapshotBridge b;
  b.store_with_stats("s", report_with(1), StatsResult(JsonValue::number(std::uint64_t{5})), 123);
  b.store("plain", report_with(1));
  b.store_with_stats_and_step("p", report_with(1), std::nullopt, 123, 456, 7);
  auto d = b.drain_ordered_with_stats();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(std::get<JsonValue>(d[0].stats).as_u64(), 5u);
  EXPECT_EQ(d[0].elapsed_ms, 123u);
  EXPECT_FALSE(d[0].step_index.has_value());
  EXPECT_EQ(std::get<MissingStatsReason>(d[1].stats).kind,
            MissingStatsReason::Kind::NoSchedulerBinary);
  EXPECT_FALSE(d[1].elapsed_ms.has_value());
  EXPECT_EQ(d[2].step_index, 7);
  EXPECT_EQ(d[2].boundary_offset_ms, 456u);
  // A plain store over a stats store clears the stale parallel values.
  b.store_with_stats("s", report_with(1), StatsResult(JsonValue::null()), 9);
  b.store("s", report_with(2));
  auto d2 = b.drain_ordered_with_stats();
  EXPECT_FALSE(d2[0].elapsed_ms.has_value());
  EXPECT_TRUE(std::holds_alternative<MissingStatsReason>(d2[0].stats));
  // drain() clears boundary offsets too.
  b.store_with_stats_and_step("x", report_with(1), std::nullopt, 1, 2, 3);
  (void)b.drain();
  b.store("x", report_with(1));
  EXPECT_FALSE(b.drain_ordered_with_stats()[0].boundary_offset_ms.has_value());
}

TEST(Bridge, EventsOverwriteEvictionAndConsumption) {
  SnapshotBridge b;
  b.store("a", report_with(1));
  b.store("a", report_with(2));
  EXPECT_EQ(b.event_count(), 1u);
  EXPECT_EQ(b.event_count(), 1u);  // non-draining
  auto ev = b.drain_events();
  EXPECT_EQ(std::get<Overwrite>(ev[0]), (Overwrite{"a", "single"}));
  EXPECT_TRUE(b.drain_events().empty());
  SnapshotBridge clean(
      [](std::string_view) { return std::optional<FailureDumpReport>(report_with(1)); });
  clean.capture("t");
  (void)clean.drain();
  EXPECT_EQ(clean.event_count(), 0u);
}

TEST(Bridge, EventLogCapAndTruncationMarker) {
  SnapshotBridge b([](std::string_view) { return std::optional<FailureDumpReport>(); });
  for (int i = 0; i < 1029; ++i) b.capture(fmt::format("runaway_{:05}", i));
  EXPECT_EQ(b.event_count(), 1024u);
  auto ev = b.drain_events();
  ASSERT_EQ(ev.size(), 1025u);
  EXPECT_EQ(std::get<CaptureUnavailable>(ev.front()).tag, "runaway_00005");
  EXPECT_EQ(std::get<EventLogTruncated>(ev.back()).dropped_count, 5u);
  EXPECT_TRUE(b.drain_events().empty());
  for (int i = 0; i < 1031; ++i) b.capture("x");
  auto ev2 = b.drain_events();
  EXPECT_EQ(std::get<EventLogTruncated>(ev2.back()).dropped_count, 7u);  // reset between drains
  for (int i = 0; i < 1024; ++i) b.capture("y");
  EXPECT_EQ(b.drain_events().size(), 1024u);  // exactly full: no marker
}

TEST(Bridge, PeriodicRealCount) {
  SnapshotBridge b;
  b.store("periodic_000", report_with(1));
  b.store("periodic_kaslr", report_with(1));
  b.store("periodic_001", FailureDumpReport::placeholder("timeout"));
  for (const char* t : {"periodic_1", "periodic_1234", "PERIODIC_002", "periodic_00a"})
    b.store(t, report_with(1));
  EXPECT_EQ(b.periodic_real_count(), 1u);
}

}  // namespace
