// Snapshot spec §5.1 (var, paths, conversions), §5.2 (map entries, find,
// NoMatch), §5.3 (per-CPU) and §5.4 (MapRenderIncomplete).
#include "expect_error.hpp"
#include "snapshot_fixtures.hpp"
#include "snapshot_matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

namespace {

// ---- §5.1 ------------------------------------------------------------------------

TEST(SnapshotVar, ReadsScalarsOfEveryBasicKind) {
  auto r = synthetic_report();
  Snapshot s(r);
  EXPECT_EQ(s.var("nr_cpus_onln").as_u64().value(), 4u);
  EXPECT_TRUE(s.var("stall").as_bool().value());
  EXPECT_DOUBLE_EQ(s.var("balance_factor").as_f64().value(), 1.5);
}

TEST(SnapshotVar, ZeroReadsAsFalse) {
  auto r = make_report_with_maps({make_global_map("o.bss", {{"balanced", uint_v(0)}})});
  EXPECT_FALSE(Snapshot(r).var("balanced").as_bool().value());
}

TEST(SnapshotVar, NestedStructMembersAndEnum) {
  auto r = synthetic_report();
  Snapshot s(r);
  EXPECT_EQ(s.var("ctx").get("weight").as_u64().value(), 1024u);
  EXPECT_EQ(s.var("ctx").get("policy").as_str().value(), "SCHED_NORMAL");
  EXPECT_EQ(s.var("ctx").get("policy").as_i64().value(), 1);
  EXPECT_EQ(s.var("ctx").get("policy").as_u64().value(), 1u);
}

TEST(SnapshotVar, PointerDerefIsTransparentInPaths) {
  auto r = synthetic_report();
  EXPECT_EQ(Snapshot(r).var("leader").get("pid").as_i64().value(), 1234);
}

TEST(SnapshotVar, AbsentVarListsSortedGlobals) {
  auto r = synthetic_report();
  SnapshotField f = Snapshot(r).var("absent");
  const auto& e = err_as<errors::VarNotFound>(f);
  EXPECT_EQ(e.requested, "absent");
  EXPECT_THAT(e.available, Contains("nr_cpus_onln"));
  EXPECT_THAT(e.available, Contains("ctx"));
  EXPECT_TRUE(std::is_sorted(e.available.begin(), e.available.end()));
  EXPECT_FALSE(f.as_u64().has_value());
  EXPECT_FALSE(f.as_i64().has_value());
  EXPECT_FALSE(f.as_bool().has_value());
  EXPECT_TRUE(f.as_u64().error().is<errors::VarNotFound>());
}

TEST(SnapshotVar, TwoObjectsMakeAVarAmbiguous) {
  auto r = synthetic_report();
  r.maps.push_back(make_global_map("other.data", {{"nr_cpus_onln", uint_v(99)}}));
  Snapshot s(r);
  SnapshotField f = s.var("nr_cpus_onln");
  const auto& e = err_as<errors::AmbiguousVar>(f);
  EXPECT_THAT(e.found_in, ElementsAre("bpf.bss", "other.data"));
  std::string msg = error_in(f).message();
  EXPECT_THAT(msg, HasSubstr("nr_cpus_onln"));
  EXPECT_THAT(msg, HasSubstr("bpf.bss"));
  EXPECT_THAT(msg, HasSubstr("other.data"));
  EXPECT_EQ(s.map("bpf.bss")->at(0).get("nr_cpus_onln").as_u64().value(), 4u);
  EXPECT_EQ(s.map("other.data")->at(0).get("nr_cpus_onln").as_u64().value(), 99u);
}

TEST(SnapshotVar, MissingFieldListsMembersInDeclarationOrder) {
  auto r = synthetic_report();
  SnapshotField f = Snapshot(r).var("ctx").get("nonexistent");
  const auto& e = err_as<errors::FieldNotFound>(f);
  EXPECT_EQ(e.component, "nonexistent");
  EXPECT_THAT(e.available, ElementsAre("weight", "policy"));
  std::string msg = error_in(Snapshot(r).var("ctx").get("nope")).message();
  EXPECT_THAT(msg, HasSubstr("nope"));
  EXPECT_THAT(msg, HasSubstr("weight"));
  EXPECT_EQ(msg,
            "path 'nope': component 'nope' (after walking '') not found (members at this depth: "
            "[\"weight\", \"policy\"])");
}

TEST(SnapshotMapLookup, MissingMapListsEveryMap) {
  auto r = synthetic_report();
  auto m = Snapshot(r).map("does_not_exist");
  const auto& e = err_as<errors::MapNotFound>(m);
  EXPECT_THAT(e.available, ElementsAre("bpf.bss", "scx_per_task", "scx_pcpu"));
  EXPECT_EQ(m.error().message(),
            "snapshot has no map 'does_not_exist' (captured maps: [\"bpf.bss\", \"scx_per_task\", "
            "\"scx_pcpu\"])");
}

TEST(SnapshotPath, EmptyComponentIsRejected) {
  auto r = synthetic_report();
  const auto& e = err_as<errors::EmptyPathComponent>(Snapshot(r).var("ctx").get("weight..value"));
  EXPECT_EQ(e.requested, "weight..value");
  EXPECT_TRUE(error_in(Snapshot(r).var("ctx").get(".weight")).is<errors::EmptyPathComponent>());
  EXPECT_TRUE(error_in(Snapshot(r).var("ctx").get("weight.")).is<errors::EmptyPathComponent>());
}

TEST(SnapshotPath, WalkingIntoAScalarIsNotAStruct) {
  auto r = synthetic_report();
  SnapshotField f = Snapshot(r).var("ctx").get("weight").get("inner");
  const auto& e = err_as<errors::NotAStruct>(f);
  EXPECT_EQ(e.kind, "Uint");
  EXPECT_EQ(e.component, "inner");
  EXPECT_EQ(error_in(f).message(),
            "path 'inner': component 'inner' (after walking '') expected a Struct, got Uint");
  const auto& e2 = err_as<errors::NotAStruct>(Snapshot(r).var("ctx").get("weight.inner"));
  EXPECT_EQ(e2.walked, "weight");
}

TEST(SnapshotField, RawGivesTheRenderedValue) {
  auto r = synthetic_report();
  const RenderedValue* raw = Snapshot(r).var("ctx").get("weight").raw();
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(*raw, RenderedValue::make_uint(32, 1024));
}

TEST(SnapshotVar, VarDoesNotSplitDots) {
  auto r = synthetic_report();
  EXPECT_TRUE(error_in(Snapshot(r).var("ctx.weight")).is<errors::VarNotFound>());
}

TEST(SnapshotField, AsStrOnUintIsATypeMismatch) {
  auto r = synthetic_report();
  auto res = Snapshot(r).var("ctx").get("weight").as_str();
  const auto& e = err_as<errors::TypeMismatch>(res);
  EXPECT_EQ(e.expected, "str (enum variant name)");
  EXPECT_EQ(e.actual, "Uint");
  EXPECT_EQ(e.requested, "");
  EXPECT_EQ(res.error().message(),
            "path '': cannot read as str (enum variant name) — actual rendered variant is Uint");
}

// ---- §5.2 ------------------------------------------------------------------------

TEST(SnapshotMapEntries, AtReadsHashEntries) {
  auto r = synthetic_report();
  auto m = Snapshot(r).map("scx_per_task").value();
  SnapshotEntry e = m.at(0);
  EXPECT_TRUE(e.is_present());
  EXPECT_EQ(e.get("tid").as_i64().value(), 100);
  EXPECT_EQ(e.get("runtime_ns").as_u64().value(), 5'000'000u);
  EXPECT_EQ(e.key("").as_u64().value(), 100u);
}

TEST(SnapshotMapEntries, AtOutOfRange) {
  auto r = synthetic_report();
  SnapshotEntry e = Snapshot(r).map("scx_per_task")->at(99);
  const auto& x = err_as<errors::IndexOutOfRange>(e);
  EXPECT_EQ(x.index, 99u);
  EXPECT_EQ(x.len, 2u);
  EXPECT_EQ(SnapshotError(x).message(), "map 'scx_per_task': index 99 out of range (length 2)");
}

TEST(SnapshotMapEntries, FindMatchesByPredicate) {
  auto r = synthetic_report();
  auto m = Snapshot(r).map("scx_per_task").value();
  SnapshotEntry e =
      m.find([](const SnapshotEntry& x) { return x.get("tid").as_i64().value_or(0) == 200; });
  EXPECT_EQ(e.get("runtime_ns").as_u64().value(), 9'000'000u);
}

TEST(SnapshotMapEntries, FindWithoutMatchSamplesKeys) {
  auto r = synthetic_report();
  SnapshotEntry e = Snapshot(r).map("scx_per_task")->find([](const SnapshotEntry& x) {
    return x.get("tid").as_i64().value_or(0) == 999;
  });
  const auto& nm = err_as<errors::NoMatch>(e);
  EXPECT_EQ(nm.op, "find");
  EXPECT_EQ(nm.len, 2u);
  EXPECT_THAT(nm.available_keys, ElementsAre("100", "200"));
}

TEST(SnapshotMapEntries, MaxByOnEmptyHash) {
  auto r = make_report_with_maps({hash_map("empty", {})});
  SnapshotEntry e = Snapshot(r).map("empty")->max_by([](const SnapshotEntry&) { return 0; });
  const auto& nm = err_as<errors::NoMatch>(e);
  EXPECT_EQ(nm.op, "max_by");
  EXPECT_EQ(nm.len, 0u);
  EXPECT_TRUE(nm.available_keys.empty());
}

TEST(SnapshotErrorText, NoMatchArms) {
  std::string empty = SnapshotError(errors::NoMatch{"m", "find", 0, {}}).message();
  EXPECT_THAT(empty, HasSubstr("'m'"));
  EXPECT_THAT(empty, HasSubstr("empty"));
  std::string nokeys = SnapshotError(errors::NoMatch{"m", "find", 7, {}}).message();
  EXPECT_THAT(nokeys, HasSubstr("7"));
  EXPECT_THAT(nokeys, HasSubstr("unavailable"));
  std::string keys = SnapshotError(errors::NoMatch{"m", "find", 9, {"k0", "k1", "k2"}}).message();
  EXPECT_EQ(keys, "map 'm': find matched none of 9 entries (first 3: [\"k0\", \"k1\", \"k2\"])");
}

FailureDumpReport null_key_report(std::string hex, bool percpu_hash) {
  FailureDumpMap m;
  m.name = "h";
  m.map_type = percpu_hash ? 5 : 1;
  if (percpu_hash) {
    FailureDumpPercpuHashEntry e;
    e.key_hex = std::move(hex);
    e.per_cpu = {uint_v(1)};
    m.percpu_hash_entries.push_back(std::move(e));
  } else {
    FailureDumpEntry e;
    e.key_hex = std::move(hex);
    e.value = uint_v(1);
    m.entries.push_back(std::move(e));
  }
  return make_report_with_maps({m});
}

std::vector<std::string> sampled_keys(const FailureDumpReport& r) {
  SnapshotEntry e = Snapshot(r).map("h")->find([](const SnapshotEntry&) { return false; });
  auto* m = std::get_if<SnapshotEntry::Missing>(&e.variant());
  return m && m->error.is<errors::NoMatch>() ? m->error.get_if<errors::NoMatch>()->available_keys
                                             : std::vector<std::string>{};
}

TEST(SnapshotNoMatchKeys, LongHexKeyIsCappedAt80Chars) {
  auto r = null_key_report("x" + std::string(319, 'a'), false);
  auto keys = sampled_keys(r);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0].starts_with("hex:x"));
  EXPECT_TRUE(keys[0].ends_with("…"));
  EXPECT_EQ(keys[0].size(), 79u + std::string("…").size());  // 79 ASCII chars + the ellipsis
}

TEST(SnapshotNoMatchKeys, NullKeyFallsBackToHex) {
  auto keys = sampled_keys(null_key_report("de ad be ef", false));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], "hex:de ad be ef");
  auto pkeys = sampled_keys(null_key_report("ca fe ba be", true));
  ASSERT_EQ(pkeys.size(), 1u);
  EXPECT_EQ(pkeys[0], "hex:ca fe ba be");
}

TEST(SnapshotNoMatchKeys, SingleValueMapHasNoKeys) {
  FailureDumpMap m;
  m.name = "scx_singleton";
  m.map_type = 2;
  m.value = uint_v(5);
  auto r = make_report_with_maps({m});
  SnapshotEntry e =
      Snapshot(r).map("scx_singleton")->find([](const SnapshotEntry&) { return false; });
  const auto& nm = err_as<errors::NoMatch>(e);
  EXPECT_EQ(nm.len, 1u);
  EXPECT_TRUE(nm.available_keys.empty());
  std::string msg = SnapshotError(nm).message();
  EXPECT_THAT(msg, HasSubstr("'scx_singleton'"));
  EXPECT_THAT(msg, HasSubstr("matched none of 1"));
  EXPECT_THAT(msg, HasSubstr("sample keys unavailable"));
}

TEST(SnapshotNoMatchKeys, FirstThreeKeysInOrderWithoutDedup) {
  std::vector<std::pair<std::uint64_t, RenderedValue>> kv;
  for (std::uint64_t i = 0; i < 10; ++i) kv.emplace_back(i, uint_v(i));
  auto r = make_report_with_maps({hash_map("ten", kv)});
  SnapshotEntry e = Snapshot(r).map("ten")->find([](const SnapshotEntry&) { return false; });
  EXPECT_EQ(err_as<errors::NoMatch>(e).len, 10u);
  EXPECT_THAT(err_as<errors::NoMatch>(e).available_keys, ElementsAre("0", "1", "2"));

  auto r2 = make_report_with_maps(
      {hash_map("dups", {{100, uint_v(1)}, {100, uint_v(2)}, {200, uint_v(3)}, {300, uint_v(4)}})});
  SnapshotEntry e2 = Snapshot(r2).map("dups")->find([](const SnapshotEntry&) { return false; });
  EXPECT_EQ(err_as<errors::NoMatch>(e2).len, 4u);
  EXPECT_THAT(err_as<errors::NoMatch>(e2).available_keys, ElementsAre("100", "100", "200"));

  auto r3 =
      make_report_with_maps({hash_map("three", {{1, uint_v(1)}, {2, uint_v(2)}, {3, uint_v(3)}})});
  SnapshotEntry e3 = Snapshot(r3).map("three")->find([](const SnapshotEntry&) { return false; });
  EXPECT_EQ(err_as<errors::NoMatch>(e3).len, 3u);
  EXPECT_EQ(err_as<errors::NoMatch>(e3).available_keys.size(), 3u);
}

TEST(SnapshotErrorText, BtfHintOnlyWhenEveryKeyIsHex) {
  std::string hex = SnapshotError(errors::NoMatch{"m", "find", 2, {"hex:00", "hex:01"}}).message();
  EXPECT_THAT(hex, HasSubstr("BTF missing"));
  EXPECT_THAT(hex, HasSubstr("CONFIG_DEBUG_INFO_BTF"));
  EXPECT_THAT(hex, HasSubstr("hex:01"));
  std::string mixed = SnapshotError(errors::NoMatch{"m", "find", 2, {"hex:00", "5"}}).message();
  EXPECT_THAT(mixed, ::testing::Not(HasSubstr("BTF missing")));
  std::string none = SnapshotError(errors::NoMatch{"m", "find", 5, {}}).message();
  EXPECT_THAT(none, HasSubstr("sample keys unavailable"));
  EXPECT_THAT(none, ::testing::Not(HasSubstr("BTF missing")));
  std::string empty = SnapshotError(errors::NoMatch{"m", "find", 0, {}}).message();
  EXPECT_THAT(empty, HasSubstr("map is empty"));
  EXPECT_THAT(empty, ::testing::Not(HasSubstr("BTF missing")));
}

TEST(SnapshotMapEntries, FilterAndMaxBy) {
  auto r = synthetic_report();
  auto m = Snapshot(r).map("scx_per_task").value();
  auto hits =
      m.filter([](const SnapshotEntry& e) { return e.get("runtime_ns").as_u64().value_or(0) > 0; });
  EXPECT_EQ(hits.size(), 2u);
  SnapshotEntry best =
      m.max_by([](const SnapshotEntry& e) { return e.get("runtime_ns").as_u64().value_or(0); });
  EXPECT_EQ(best.get("tid").as_i64().value(), 200);
}

TEST(SnapshotMapEntries, MaxByKeepsTheFirstOfTies) {
  auto r = make_report_with_maps({hash_map("t", {{1, uint_v(5)}, {2, uint_v(5)}})});
  SnapshotEntry best = Snapshot(r).map("t")->max_by(
      [](const SnapshotEntry& e) { return e.get("").as_u64().value_or(0); });
  EXPECT_EQ(best.key("").as_u64().value(), 1u);
}

// ---- §5.3 ------------------------------------------------------------------------

TEST(SnapshotPercpu, NarrowedSlotReads) {
  auto r = synthetic_report();
  EXPECT_EQ(Snapshot(r).map("scx_pcpu")->cpu(1).at(0).get("").as_u64().value(), 22u);
}

TEST(SnapshotPercpu, NullSlotIsUnmapped) {
  auto r = synthetic_report();
  const auto& e = err_as<errors::PerCpuSlot>(Snapshot(r).map("scx_pcpu")->cpu(2).at(0));
  EXPECT_EQ(e.cpu, 2u);
  EXPECT_TRUE(e.unmapped);
  EXPECT_EQ(e.map, "scx_pcpu");
  EXPECT_EQ(SnapshotError(e).message(), "map 'scx_pcpu': cpu 2 per-CPU slot is unmapped (None)");
}

TEST(SnapshotPercpu, CpuBeyondSlotsIsOutOfRange) {
  auto r = synthetic_report();
  const auto& e = err_as<errors::PerCpuSlot>(Snapshot(r).map("scx_pcpu")->cpu(99).at(0));
  EXPECT_EQ(e.cpu, 99u);
  EXPECT_FALSE(e.unmapped);
  EXPECT_EQ(e.len, 4u);
  EXPECT_EQ(SnapshotError(e).message(),
            "map 'scx_pcpu': cpu 99 out of range (have 4 per-CPU slots)");
}

TEST(SnapshotPercpu, UnnarrowedGetIsAnError) {
  auto r = synthetic_report();
  SnapshotField f = Snapshot(r).map("scx_pcpu")->at(0).get("anything");
  const auto& e = err_as<errors::PerCpuNotNarrowed>(f);
  EXPECT_EQ(e.map, "<percpu-array>");
  EXPECT_EQ(error_in(f).message(),
            "map '<percpu-array>': per-CPU entry without a CPU narrow — call .cpu(N) first");
}

TEST(SnapshotPercpu, SumMaxMin) {
  auto r = synthetic_report();
  SnapshotEntry e = Snapshot(r).map("scx_pcpu")->at(0);
  EXPECT_EQ(e.cpu_sum_u64("").value(), 77u);
  EXPECT_EQ(e.cpu_max_u64("").value(), 44u);
  EXPECT_EQ(e.cpu_min_u64("").value(), 11u);
  EXPECT_EQ(e.cpu_sum_i64("").value(), 77);
  EXPECT_DOUBLE_EQ(e.cpu_sum_f64("").value(), 77.0);
}

TEST(SnapshotPercpu, AllNullSlotsAreNoMatch) {
  auto r = make_report_with_maps({percpu_map("p", {std::nullopt, std::nullopt})});
  SnapshotEntry e = Snapshot(r).map("p")->at(0);
  auto mx = e.cpu_max_u64("");
  EXPECT_EQ(err_as<errors::NoMatch>(mx).op, "cpu_max_u64");
  EXPECT_EQ(err_as<errors::NoMatch>(mx).len, 0u);
  EXPECT_EQ(err_as<errors::NoMatch>(mx).map, "<Percpu>");
  EXPECT_EQ(err_as<errors::NoMatch>(e.cpu_sum_u64("")).op, "cpu_sum_u64");
  EXPECT_FALSE(e.cpu_sum_i64("").has_value());
  EXPECT_FALSE(e.cpu_sum_f64("").has_value());
  EXPECT_EQ(err_as<errors::NoMatch>(e.cpu_min_u64("")).op, "cpu_min_u64");
}

TEST(SnapshotPercpu, CpuEachVisitsNonNullSlots) {
  auto r = synthetic_report();
  std::vector<std::pair<std::size_t, std::uint64_t>> seen;
  auto res =
      Snapshot(r).map("scx_pcpu")->at(0).cpu_each("", [&](std::size_t cpu, const RenderedValue& v) {
        seen.emplace_back(cpu, v.uint_value());
        return SnapshotResult<std::monostate>(std::monostate{});
      });
  ASSERT_TRUE(res.has_value());
  EXPECT_THAT(seen, ElementsAre(std::pair<std::size_t, std::uint64_t>{0, 11},
                                std::pair<std::size_t, std::uint64_t>{1, 22},
                                std::pair<std::size_t, std::uint64_t>{3, 44}));
}

TEST(SnapshotPercpu, AggregatingAValueEntryIsATypeMismatch) {
  auto r = synthetic_report();
  auto res = Snapshot(r).map("bpf.bss")->at(0).cpu_sum_u64("");
  const auto& e = err_as<errors::TypeMismatch>(res);
  EXPECT_THAT(e.expected, HasSubstr("Percpu"));
  EXPECT_EQ(e.actual, "Value");
}

TEST(SnapshotPercpu, FloatAggregatesFollowIeeeRules) {
  auto r = make_report_with_maps(
      {percpu_map("f", {float_v(1.5), float_v(2.5), std::nullopt, float_v(3.0)}),
       percpu_map("g", {float_v(1.5), float_v(9.25), float_v(3.0)}),
       percpu_map("n", {float_v(1.0), float_v(std::nan("")), float_v(3.0)})});
  Snapshot s(r);
  EXPECT_DOUBLE_EQ(s.map("f")->at(0).cpu_sum_f64("").value(), 7.0);
  EXPECT_DOUBLE_EQ(s.map("g")->at(0).cpu_max_f64("").value(), 9.25);
  EXPECT_DOUBLE_EQ(s.map("g")->at(0).cpu_min_f64("").value(), 1.5);
  EXPECT_TRUE(std::isnan(s.map("n")->at(0).cpu_sum_f64("").value()));
  EXPECT_DOUBLE_EQ(s.map("n")->at(0).cpu_max_f64("").value(), 3.0);
  EXPECT_DOUBLE_EQ(s.map("n")->at(0).cpu_min_f64("").value(), 1.0);
}

TEST(SnapshotPercpu, StructSlotsSumAField) {
  auto c = [](std::uint64_t v) { return strukt("cnt", {{"count", uint_v(v)}}); };
  auto r = make_report_with_maps({percpu_map("s", {c(10), c(20), std::nullopt, c(30)})});
  SnapshotEntry e = Snapshot(r).map("s")->at(0);
  EXPECT_EQ(e.cpu_sum_u64("count").value(), 60u);
  auto bad = e.cpu_sum_u64("");
  EXPECT_THAT(err_as<errors::TypeMismatch>(bad).actual, HasSubstr("Struct"));
}

TEST(SnapshotPercpu, PercpuHashAggregates) {
  FailureDumpMap m;
  m.name = "ph";
  m.map_type = 5;
  FailureDumpPercpuHashEntry e;
  e.key = uint_v(1, 32);
  e.key_hex = "01 00 00 00";
  e.per_cpu = {uint_v(5), uint_v(7), std::nullopt};
  m.percpu_hash_entries.push_back(e);
  auto r = make_report_with_maps({m});
  SnapshotEntry en = Snapshot(r).map("ph")->at(0);
  EXPECT_EQ(en.cpu_sum_u64("").value(), 12u);
  EXPECT_EQ(en.cpu_max_u64("").value(), 7u);
  EXPECT_EQ(en.cpu_min_u64("").value(), 5u);
  EXPECT_EQ(err_as<errors::PerCpuNotNarrowed>(en.get("")).map, "<percpu-hash>");
}

// ---- §5.4 ------------------------------------------------------------------------

TEST(SnapshotRenderGap, ErroredBssShadowsVarNotFound) {
  auto r =
      make_report_with_maps({make_errored_map("scx_test.bss", "ARRAY value region unreadable")});
  SnapshotField f = Snapshot(r).var("counter");
  const auto& e = err_as<errors::MapRenderIncomplete>(f);
  EXPECT_EQ(e.map, "scx_test.bss");
  EXPECT_EQ(e.error, "ARRAY value region unreadable");
  EXPECT_EQ(error_in(f).message(),
            "map 'scx_test.bss' contents unavailable (render failed at capture): ARRAY value "
            "region unreadable");
}

TEST(SnapshotRenderGap, RenderedBssWithoutTheNameIsVarNotFound) {
  auto r = make_report_with_maps({make_global_map("scx_test.bss", {{"present", uint_v(1)}})});
  EXPECT_TRUE(error_in(Snapshot(r).var("counter")).is<errors::VarNotFound>());
}

TEST(SnapshotRenderGap, EntryAccessOnAnErroredMap) {
  auto r = make_report_with_maps({make_errored_map("m", "boom")});
  auto m = Snapshot(r).map("m").value();
  EXPECT_EQ(err_as<errors::MapRenderIncomplete>(m.at(0)).error, "boom");
  EXPECT_EQ(
      err_as<errors::MapRenderIncomplete>(m.find([](const SnapshotEntry&) { return true; })).map,
      "m");
  EXPECT_EQ(
      err_as<errors::MapRenderIncomplete>(m.max_by([](const SnapshotEntry&) { return 0; })).map,
      "m");
}

TEST(SnapshotRenderGap, ErroredRodataWinsOverRenderedBss) {
  auto r = make_report_with_maps({make_global_map("scx_test.bss", {{"present", uint_v(1)}}),
                                  make_errored_map("scx_test.rodata", "unreadable")});
  EXPECT_EQ(err_as<errors::MapRenderIncomplete>(Snapshot(r).var("absent_name")).map,
            "scx_test.rodata");
  EXPECT_EQ(Snapshot(r).var("present").as_u64().value(), 1u);
}

}  // namespace
