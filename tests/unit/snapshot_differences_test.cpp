// scxsnap's deliberate differences from ktstr (ARCHITECTURE §9), each tested.
#include "snapshot_fixtures.hpp"
#include "snapshot_matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;

namespace {

FailureDumpMap array_map(std::string name, std::vector<std::optional<RenderedValue>> slots) {
  FailureDumpMap m;
  m.name = std::move(name);
  m.map_type = 2;
  m.value_size = 8;
  m.max_entries = static_cast<std::uint32_t>(slots.size());
  for (std::uint32_t i = 0; i < slots.size(); ++i)
    m.array_entries.push_back(FailureDumpArrayEntry{i, slots[i]});
  return m;
}

// Difference 1: multi-entry ARRAY maps are reachable through at/find/filter/max_by.
TEST(DeliberateDifference, ArrayEntriesAreTraversable) {
  auto c = [](std::uint64_t v) { return strukt("slot", {{"count", uint_v(v)}}); };
  auto r = make_report_with_maps({array_map("stats", {c(5), c(50), std::nullopt, c(7)})});
  auto m = Snapshot(r).map("stats").value();
  EXPECT_EQ(m.len(), 4u);
  EXPECT_EQ(m.at(1).get("count").as_u64().value(), 50u);
  EXPECT_EQ(m.at(1).key("").as_u64().value(), 1u);
  EXPECT_EQ(err_as<errors::NoRendered>(m.at(2).get("count")).side, "value");
  SnapshotEntry best =
      m.max_by([](const SnapshotEntry& e) { return e.get("count").as_u64().value_or(0); });
  EXPECT_EQ(best.key("").as_u64().value(), 1u);
  EXPECT_EQ(m.filter([](const SnapshotEntry& e) { return e.get("count").is_present(); }).size(),
            3u);
  SnapshotEntry none = m.find([](const SnapshotEntry&) { return false; });
  EXPECT_THAT(err_as<errors::NoMatch>(none).available_keys, ElementsAre("0", "1", "2"));
  EXPECT_EQ(err_as<errors::IndexOutOfRange>(m.at(4)).len, 4u);
  EXPECT_EQ(err_as<errors::TypeMismatch>(m.at(0).cpu_sum_u64("")).actual, "Array");
}

// Difference 2: an object's sections whose names the kernel cut at 15
// characters are one object, named by the longest prefix.
TEST(DeliberateDifference, TruncatedSectionPrefixesGroupAsOneObject) {
  auto r = make_report_with_maps({make_global_map("scx_mitosis.bss", {{"nr", uint_v(3)}}),
                                  make_global_map("scx_mitosi.data", {{"mode", uint_v(1)}}),
                                  make_global_map("scx_mito.rodata", {{"nr_cpus", uint_v(8)}}),
                                  hash_map("other_map", {})});
  ASSERT_EQ(std::string("scx_mitosi.data").size(), 15u);
  Snapshot s(r);
  auto act = s.active();
  ASSERT_TRUE(act.has_value()) << act.error().message();
  EXPECT_EQ(act->active_obj(), "scx_mitosis");
  EXPECT_EQ(act->map_count(), 3u);
  EXPECT_EQ(act->var("nr_cpus").as_u64().value(), 8u);
  EXPECT_EQ(s.live_var("mode").as_u64().value(), 1u);
}

TEST(DeliberateDifference, ShortNamesAreNotMerged) {
  // "scx_a.bss" is short: it cannot have been cut, so scx_a and scx_ab stay apart.
  auto r = make_report_with_maps({make_global_map("scx_a.bss", {{"x", uint_v(1)}}),
                                  make_global_map("scx_ab.bss", {{"x", uint_v(2)}})});
  EXPECT_TRUE(Snapshot(r).active().error().is<errors::NoActiveScheduler>());
}

// Difference 3: host captures carry map_id; the active filter accepts ids.
TEST(DeliberateDifference, ActiveFilterAcceptsMapIds) {
  FailureDumpMap a = make_global_map("sched.bss", {{"counter", uint_v(99)}});
  a.map_id = 11;
  FailureDumpMap b = make_global_map("sched.bss", {{"counter", uint_v(7)}});
  b.map_id = 12;
  auto r = make_report_with_maps({a, b});
  r.active_obj_name = "sched";
  r.active_map_ids = {12};
  EXPECT_EQ(Snapshot(r).var("counter").as_u64().value(), 7u);
  EXPECT_EQ(Snapshot(r).live_var("counter").as_u64().value(), 7u);
  r.active_map_ids = {13};
  auto e = err_as<errors::ActiveFilterExcludedMaps>(Snapshot(r).live_var("counter"));
  ASSERT_EQ(e.excluded_maps.size(), 2u);
  EXPECT_EQ(e.excluded_maps[0].map_id, 11u);
}

// Difference 4: where ktstr finds no global, var also searches the custom
// .data.NAME / .rodata.NAME sections and <obj>.kconfig; an active view sees
// those sharing its object's BTF. The spec's errors stay as they are.
TEST(DeliberateDifference, VarFindsCustomSectionsAndKconfig) {
  auto with_btf = [](FailureDumpMap m, std::uint32_t btf) {
    m.btf_id = btf;
    return m;
  };
  auto r = make_report_with_maps(
      {with_btf(make_global_map("scx_a.bss", {{"nr", uint_v(3)}}), 7),
       with_btf(make_global_map(".data.uei_dump", {{"uei_dump", array_v({})}}), 7),
       with_btf(make_global_map("scx_a.kconfig", {{"LINUX_KERNEL_VERSION", uint_v(0x61200)}}), 7),
       with_btf(make_global_map("scx_b.bss", {{"other", uint_v(1)}}), 8),
       with_btf(make_global_map(".data.uei_dump", {{"uei_dump", array_v({uint_v(1)})}}), 8),
       with_btf(make_global_map(".rodata.knobs", {{"knob", uint_v(9)}}), 8)});
  Snapshot s(r);
  EXPECT_EQ(s.var("LINUX_KERNEL_VERSION").as_u64().value(), 0x61200u);
  EXPECT_EQ(s.var("knob").as_u64().value(), 9u);
  // Two objects' copies: ambiguous, as for standard sections.
  EXPECT_THAT(err_as<errors::AmbiguousVar>(s.var("uei_dump")).found_in,
              ElementsAre(".data.uei_dump", ".data.uei_dump"));
  // The active object's copy through its BTF.
  r.active_obj_name = "scx_b";
  Snapshot s2(r);
  EXPECT_EQ(s2.var("uei_dump").raw()->elements().size(), 1u);
  auto act = s2.active();
  ASSERT_TRUE(act.has_value());
  EXPECT_EQ(act->var("knob").as_u64().value(), 9u);
  EXPECT_FALSE(act->var("LINUX_KERNEL_VERSION").is_present());  // scx_a's
  // Not found: the spec's VarNotFound over the standard sections only.
  EXPECT_THAT(err_as<errors::VarNotFound>(s.var("nope")).available, ElementsAre("nr", "other"));
}

// Difference 8: an ARENA map's value holds the object's __arena globals;
// var finds them where ktstr finds nothing, and an active view sees the
// arena sharing its object's BTF.
TEST(DeliberateDifference, VarFindsArenaGlobals) {
  auto arena = [](std::string name, std::uint32_t btf, std::uint64_t v) {
    FailureDumpMap m = make_global_map(".addr_space.1", {{"nr_tasks", uint_v(v)}});
    m.name = std::move(name);
    m.map_type = 33;  // BPF_MAP_TYPE_ARENA
    m.btf_id = btf;
    m.arena = ArenaSnapshot{};
    return m;
  };
  auto bss = make_global_map("scx_a.bss", {{"nr", uint_v(3)}});
  bss.btf_id = 7;
  auto r = make_report_with_maps({bss, arena("arena", 7, 42)});
  Snapshot s(r);
  EXPECT_EQ(s.var("nr_tasks").as_u64().value(), 42u);
  // Not an arena: a map named like one is not searched.
  auto not_arena = make_global_map(".addr_space.1", {{"nr_tasks", uint_v(1)}});
  not_arena.name = "arena";
  auto plain = make_report_with_maps({bss, not_arena});
  EXPECT_FALSE(Snapshot(plain).var("nr_tasks").is_present());
  // Two objects' arenas: the active object's.
  auto bss_b = make_global_map("scx_b.bss", {{"other", uint_v(1)}});
  bss_b.btf_id = 8;
  auto two = make_report_with_maps({bss, arena("arena", 7, 42), bss_b, arena("arena", 8, 43)});
  EXPECT_THAT(err_as<errors::AmbiguousVar>(Snapshot(two).var("nr_tasks")).found_in,
              ElementsAre("arena", "arena"));
  two.active_obj_name = "scx_b";
  EXPECT_EQ(Snapshot(two).var("nr_tasks").as_u64().value(), 43u);
}

}  // namespace
