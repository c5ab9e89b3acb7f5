// Snapshot spec §5.8 (scheduler-stats JSON surface), §5.9 (error JSON, hash,
// Display) and §5.10 (first-class accessors).
#include "expect_error.hpp"
#include "snapshot_fixtures.hpp"
#include "snapshot_matchers.hpp"

#include <deque>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unordered_set>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

namespace {

// The parsed document, kept for the test program's life (a JsonField
// borrows its document: stats_path refuses temporaries).
const JsonValue& doc(std::string_view text) {
  static std::deque<JsonValue> kept;
  auto v = parse_json(text);
  EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().message());
  return kept.emplace_back(v.value_or(JsonValue()));
}

template <class T>
errors::TypeMismatch tm(const SnapshotResult<T>& r) {
  return err_as<errors::TypeMismatch>(r);
}

// ---- §5.8 ------------------------------------------------------------------------

TEST(StatsPath, WalksObjects) {
  JsonValue v =
      doc(R"({"layers":{"batch":{"util":75.5}},"busy":1,"antistall":2,"big":"12345678901234"})");
  EXPECT_DOUBLE_EQ(stats_path(v, "layers.batch.util").as_f64().value(), 75.5);
  auto missing = stats_path(v, "nope");
  auto e = err_as<errors::FieldNotFound>(missing.as_u64());
  EXPECT_THAT(e.available, IsSupersetOf({"busy", "antistall"}));
  EXPECT_TRUE(std::is_sorted(e.available.begin(), e.available.end()));
  auto nas = err_as<errors::NotAStruct>(stats_path(v, "busy.y").as_u64());
  EXPECT_EQ(nas.component, "y");
  EXPECT_EQ(nas.kind, "Number");
  EXPECT_TRUE(error_in(stats_path(v, "a..b")).is<errors::EmptyPathComponent>());
  EXPECT_EQ(stats_path(v, "big").as_u64().value(), 12345678901234u);
  JsonValue n = JsonValue::number(std::uint64_t{42});
  EXPECT_EQ(stats_path(n, "").as_u64().value(), 42u);
}

TEST(StatsPath, GetChainsAndArrays) {
  JsonValue v = doc(
      R"({"a":{"b":{"c":42}},"u":[1,2,3],"m":[true,1,false],"objs":[{"id":1},{"id":2}],"nested":[[1,2,3],[4,5,6]]})");
  EXPECT_EQ(stats_path(v, "a").get("b.c").as_u64().value(), 42u);
  EXPECT_THAT(stats_path(v, "u").as_u32_array().value(), ElementsAre(1u, 2u, 3u));
  EXPECT_TRUE(stats_path(v, "m").as_bool_array().error().is<errors::TypeMismatch>());
  std::vector<std::uint64_t> ids;
  for (const auto& f : stats_path(v, "objs").iter_members())
    ids.push_back(f.get("id").as_u64().value());
  EXPECT_THAT(ids, ElementsAre(1u, 2u));
  std::vector<std::uint64_t> sums;
  for (const auto& f : stats_path(v, "nested").iter_members()) {
    std::uint64_t s = 0;
    auto arr = f.as_u64_array();
    for (auto x : arr.value()) s += x;
    sums.push_back(s);
  }
  EXPECT_THAT(sums, ElementsAre(6u, 15u));
  EXPECT_TRUE(stats_path(v, "a").iter_members().empty());
  EXPECT_TRUE(stats_path(v, "zzz").iter_members().empty());
  EXPECT_TRUE(stats_path(doc("null"), "").iter_members().empty());
}

TEST(JsonFieldCoercion, U64Rules) {
  EXPECT_EQ(stats_path(doc("42"), "").as_u64().value(), 42u);
  EXPECT_EQ(stats_path(doc("true"), "").as_u64().value(), 1u);
  EXPECT_EQ(stats_path(doc("false"), "").as_u64().value(), 0u);
  EXPECT_EQ(stats_path(doc(R"("18446744073709551615")"), "").as_u64().value(), UINT64_MAX);
  EXPECT_EQ(stats_path(doc("5.0"), "").as_u64().value(), 5u);
  auto frac = tm(stats_path(doc("2.5"), "").as_u64());
  EXPECT_EQ(frac.expected, "integer");
  EXPECT_EQ(frac.actual, "non-integer float");
  auto negf = tm(stats_path(doc("-2.5"), "").as_u64());
  EXPECT_EQ(negf.expected, "u64");
  EXPECT_EQ(negf.actual, "Float(non-coercible)");
  EXPECT_EQ(tm(stats_path(doc("-5"), "").as_u64()).actual, "Int(negative)");
  EXPECT_EQ(tm(stats_path(doc(R"("abc")"), "").as_u64()).actual, "String(non-numeric)");
  EXPECT_THAT(stats_path(doc("null"), "").as_u64().error().message(), HasSubstr("Null"));
  EXPECT_TRUE(stats_path(doc("{}"), "").as_u64().error().is<errors::TypeMismatch>());
}

TEST(JsonFieldCoercion, I64AndF64Rules) {
  EXPECT_EQ(stats_path(doc("-7"), "").as_i64().value(), -7);
  EXPECT_EQ(stats_path(doc("true"), "").as_i64().value(), 1);
  EXPECT_EQ(stats_path(doc(R"("-123")"), "").as_i64().value(), -123);
  EXPECT_EQ(stats_path(doc("9.0"), "").as_i64().value(), 9);
  EXPECT_EQ(tm(stats_path(doc("18446744073709551615"), "").as_i64()).actual, "Uint(>i64::MAX)");
  EXPECT_EQ(tm(stats_path(doc("2.5"), "").as_i64()).actual, "non-integer float");
  EXPECT_EQ(tm(stats_path(doc(R"("nope")"), "").as_i64()).actual, "String(non-numeric)");
  EXPECT_DOUBLE_EQ(stats_path(doc("1.5"), "").as_f64().value(), 1.5);
  EXPECT_DOUBLE_EQ(stats_path(doc("3"), "").as_f64().value(), 3.0);
  EXPECT_DOUBLE_EQ(stats_path(doc(R"("2.25")"), "").as_f64().value(), 2.25);
  EXPECT_EQ(tm(stats_path(doc(R"("x")"), "").as_f64()).actual, "String(non-numeric)");
  EXPECT_FALSE(stats_path(doc("null"), "").as_f64().has_value());
  EXPECT_FALSE(stats_path(doc("true"), "").as_f64().has_value());
}

TEST(JsonFieldCoercion, StrictBoolStrAndArrays) {
  JsonValue v = doc(
      R"({"s":"1","n":7,"u":[1,2],"i":[-1,2],"f":[1.5,2],"b":[true,false],"big":[4294967296]})");
  EXPECT_TRUE(error_in(stats_path(v, "missing").get("x")).is<errors::FieldNotFound>());
  EXPECT_TRUE(stats_path(v, "missing").as_u64().error().is<errors::FieldNotFound>());
  EXPECT_FALSE(stats_path(v, "s").as_bool().has_value());
  EXPECT_FALSE(stats_path(v, "n").as_str().has_value());
  EXPECT_EQ(stats_path(v, "s").as_str().value(), "1");
  EXPECT_THAT(stats_path(v, "u").as_u64_array().value(), ElementsAre(1u, 2u));
  EXPECT_THAT(stats_path(v, "i").as_i64_array().value(), ElementsAre(-1, 2));
  EXPECT_THAT(stats_path(v, "f").as_f64_array().value(), ElementsAre(1.5, 2.0));
  EXPECT_THAT(stats_path(v, "b").as_bool_array().value(), ElementsAre(true, false));
  auto over = tm(stats_path(v, "big").as_u32_array());
  EXPECT_EQ(over.expected, "u32");
  EXPECT_EQ(over.actual, "Uint(>u32::MAX)");
  auto notarr = tm(stats_path(v, "n").as_u64_array());
  EXPECT_EQ(notarr.expected, "[u64]");
  EXPECT_EQ(notarr.actual, "Number");
}

// ---- §5.9 ------------------------------------------------------------------------

TEST(SnapshotErrorValue, EqualValuesHashEqual) {
  SnapshotError a = errors::VarNotFound{"x", {"a", "b"}};
  SnapshotError b = errors::VarNotFound{"x", {"a", "b"}};
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::hash<SnapshotError>{}(a), std::hash<SnapshotError>{}(b));
  std::unordered_set<SnapshotError> set{a, b, errors::VarNotFound{"y", {}}};
  EXPECT_EQ(set.size(), 2u);
}

TEST(SnapshotErrorValue, JsonRoundTripOfEveryVariant) {
  MissingStatsReason nsb;
  MissingStatsReason se;
  se.kind = MissingStatsReason::Kind::SchedulerError;
  se.err_no = 13;
  se.args = JsonValue::object({{"k", JsonValue::number(std::uint64_t{1})}});
  std::vector<SnapshotError> all = {
      errors::MapNotFound{"m", {"a", "a"}},
      errors::VarNotFound{"v", {"x"}},
      errors::AmbiguousVar{"v", {"a.bss", "b.bss"}},
      errors::FieldNotFound{"a.b", "a", "b", {"c", ""}},
      errors::NotAStruct{"a.b", "a", "b", "Uint"},
      errors::TypeMismatch{"u64", "Struct", ""},
      errors::IndexOutOfRange{"m", 99, 2},
      errors::PerCpuSlot{"m", 4294967295u, 4, true},
      errors::NoMatch{"m", "find", 3, {"hex:00 01", "\"quoted\""}},
      errors::EmptyPathComponent{"a..b"},
      errors::PerCpuNotNarrowed{"<percpu-array>"},
      errors::NoRendered{"<entry>", "key"},
      errors::PlaceholderSample{"periodic_000", "why"},
      errors::MissingStats{"t", nsb},
      errors::MissingStats{"t", se},
      errors::HostFieldUnavailable{"t", 3},
      errors::PlaceholderSnapshot{},
      errors::PlaceholderSnapshot{"tag"},
      errors::NoActiveScheduler{"r"},
      errors::ActiveFilterExcludedMaps{
          "c", "alpha", {{"alpha.bss", 0xffff888012345000ull}}, {0x9999}},
      errors::WalkerDriftedWithinPhase{JsonValue::string("Phase 1"), {1}, {2}, "x"},
      errors::ProjectionFailed{"p"},
      errors::MapRenderIncomplete{"m", "boom"},
  };
  for (const auto& e : all) {
    std::string json = e.to_json();
    auto back = SnapshotError::from_json(json);
    ASSERT_TRUE(back.has_value()) << json << ": " << back.error().message();
    EXPECT_EQ(*back, e) << json;
    EXPECT_FALSE(e.message().empty());
  }
  EXPECT_EQ(all[0].to_json(), R"({"MapNotFound":{"requested":"m","available":["a","a"]}})");
  EXPECT_EQ(all[13].to_json(), R"({"MissingStats":{"tag":"t","reason":"NoSchedulerBinary"}})");
  EXPECT_EQ(all[16].to_json(), R"({"PlaceholderSnapshot":{"tag":null}})");
  EXPECT_FALSE(SnapshotError::from_json(R"({"Bogus":{}})").has_value());
  EXPECT_FALSE(
      SnapshotError::from_json(R"({"MapNotFound":{"requested":1,"available":[]}})").has_value());
  // A u32 field past u32 is refused as serde refuses it, never wrapped.
  auto wide = SnapshotError::from_json(
      R"({"PerCpuSlot":{"map":"m","cpu":4294967296,"len":4,"unmapped":true}})");
  ASSERT_FALSE(wide.has_value());
  EXPECT_EQ(wide.error().message(),
            "SnapshotError PerCpuSlot: 'cpu': invalid value: integer `4294967296`, expected u32");
}

TEST(SnapshotErrorValue, DisplayTexts) {
  EXPECT_EQ(SnapshotError(errors::ProjectionFailed{"because"}).message(),
            "projection failed: because");
  MissingStatsReason big;
  big.kind = MissingStatsReason::Kind::RequestTooLarge;
  big.size = 10;
  big.max = 4;
  EXPECT_THAT(SnapshotError(errors::MissingStats{"t", big}).message(), HasSubstr("10"));
  MissingStatsReason se;
  se.kind = MissingStatsReason::Kind::SchedulerError;
  se.err_no = 13;
  se.args = JsonValue::null();
  EXPECT_EQ(se.message(), "scheduler returned errno=13 (args=null)");
  EXPECT_EQ(SnapshotError(errors::MissingStats{"t", MissingStatsReason{}}).message(),
            "sample 't': stats absent (no scheduler_binary configured for this run)");
  EXPECT_EQ(
      SnapshotError(errors::PlaceholderSnapshot{"periodic_003"}).message(),
      "snapshot 'periodic_003' is a placeholder — the freeze-rendezvous path could not capture "
      "real data; no maps to walk");
  EXPECT_EQ(SnapshotError(errors::HostFieldUnavailable{"t", 5}).message(),
            "sample 't': per_cpu_time has no entry for cpu 5 (placeholder report or kernel-walker "
            "resolution failure)");
  EXPECT_EQ(SnapshotError(errors::MapNotFound{"q", {"a\"b"}}).message(),
            "snapshot has no map 'q' (captured maps: [\"a\\\"b\"])");
}

// ---- §5.10 -----------------------------------------------------------------------

TEST(SnapshotAccessors, ReportPassesThroughAndDefaultsAreEmpty) {
  FailureDumpReport r;
  Snapshot s(r);
  EXPECT_EQ(&s.report(), &r);
  EXPECT_EQ(s.report().schema, "single");
  EXPECT_TRUE(s.event_counter_timeline().empty());
  EXPECT_TRUE(s.rq_scx_states().empty());
  EXPECT_TRUE(s.dsq_states().empty());
  EXPECT_TRUE(s.per_cpu_time().empty());
  EXPECT_TRUE(s.cgroup_psi().empty());
  EXPECT_TRUE(s.per_node_numa().empty());
  EXPECT_TRUE(s.task_enrichments().empty());
  EXPECT_TRUE(s.prog_runtime_stats().empty());
  EXPECT_EQ(s.scx_sched_state(), nullptr);
  EXPECT_EQ(s.probe_counters(), nullptr);
  EXPECT_FALSE(s.scx_walker_unavailable());
  EXPECT_FALSE(s.task_enrichments_unavailable());
  EXPECT_FALSE(s.prog_runtime_stats_unavailable());
  EXPECT_FALSE(s.per_node_numa_unavailable());
  EXPECT_FALSE(s.sdt_alloc_unavailable());
}

TEST(SnapshotAccessors, PopulatedValuesAndKeyedLookups) {
  auto parsed = load_report(std::string(SCXSNAP_TEST_DATA) + "/full_report.json");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  FailureDumpReport r = *parsed;
  r.per_cpu_time[0].cpu = 2;  // row 0 describes cpu 2: lookups go by field, not index
  PerCpuTimeStats dup = r.per_cpu_time[1];
  dup.irqs_sum = 777;
  r.per_cpu_time.push_back(dup);
  ProgRuntimeStats p2 = r.prog_runtime_stats[0];
  p2.cnt = 1;
  r.prog_runtime_stats.push_back(p2);
  Snapshot s(r);
  ASSERT_NE(s.per_cpu_time_at(2), nullptr);
  EXPECT_EQ(s.per_cpu_time_at(2)->cpustat_user_ns, 812000000u);
  EXPECT_EQ(s.per_cpu_time_at(1)->irqs_sum, 9u);  // first match wins
  EXPECT_EQ(s.per_cpu_time_at(99), nullptr);
  EXPECT_EQ(s.per_node_numa_at(1)->numa_hit, 1048576u);
  EXPECT_EQ(s.per_node_numa_at(0), nullptr);
  EXPECT_EQ(s.task_enrichment_by_pid(412)->comm, "stress-worker");
  EXPECT_EQ(s.task_enrichment_by_pid(1), nullptr);
  EXPECT_EQ(s.prog_runtime_stats_by_name("dispatch")->cnt, 100u);
  EXPECT_EQ(s.prog_runtime_stats_by_name("nope"), nullptr);
  EXPECT_EQ(s.scx_sched_state()->exit_kind, 1026u);
  EXPECT_EQ(s.probe_counters()->timeline_count, 20411u);
  EXPECT_EQ(s.event_counter_timeline().size(), 1u);
  EXPECT_EQ(s.cgroup_psi().size(), 1u);
  EXPECT_EQ(s.scx_walker_unavailable(), "scx walker reached no state");
  EXPECT_EQ(s.per_node_numa_unavailable(), "no NUMA walker (host-side walker pending)");
}

TEST(SnapshotAccessors, MapExtras) {
  auto r = load_report(std::string(SCXSNAP_TEST_DATA) + "/full_report.json").value();
  r.is_placeholder = false;
  Snapshot s(r);
  EXPECT_EQ(s.map("events_rb")->ringbuf()->pending_bytes, 400u);
  EXPECT_EQ(s.map("arena")->arena()->declared_pages, 10u);
  EXPECT_EQ(s.map("progs")->fd_array()->indices, (std::vector<std::uint32_t>{0, 5}));
  EXPECT_EQ(s.map("stacks")->stack_trace()->buckets_unreadable, 2u);
  EXPECT_EQ(s.map("broken_map")->map_error(), "value region unreadable");
  EXPECT_EQ(s.map("task_ctx_map")->ringbuf(), nullptr);
  EXPECT_EQ(s.map("task_ctx_map")->arena(), nullptr);
  EXPECT_EQ(s.map("task_ctx_map")->fd_array(), nullptr);
  EXPECT_EQ(s.map("task_ctx_map")->stack_trace(), nullptr);
  EXPECT_FALSE(s.map("task_ctx_map")->map_error());
}

TEST(SnapshotAccessors, SerdeRoundTripKeepsCheckedValues) {
  auto r = load_report(std::string(SCXSNAP_TEST_DATA) + "/full_report.json").value();
  auto again = parse_report(to_json(r)).value();
  Snapshot s(again);
  EXPECT_EQ(s.per_cpu_time_at(0)->softirqs[9], 2290u);
  EXPECT_EQ(s.rq_scx_states()[0].curr_comm, "stress-worker");
  EXPECT_EQ(s.dsq_states()[0].id, 9223372036854775810u);
  EXPECT_EQ(s.task_enrichment_by_pid(412)->field("sched_class")->text(), "ext");
}

}  // namespace
