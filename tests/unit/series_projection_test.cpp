// SampleSeries projections (BPF axis with the phase-stability gate, map
// projector, stats and host axes), JSON Lines I/O and check expressions.
#include "scxsnap/expect.hpp"
#include "snapshot_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

SampleRow row(std::string tag, std::uint64_t ms, std::uint64_t counter,
              std::vector<std::uint64_t> kvas = {},
              std::optional<std::uint16_t> step = std::nullopt) {
  SampleRow r;
  r.tag = std::move(tag);
  r.elapsed_ms = ms;
  r.report =
      make_report_with_maps({make_global_map("sched.bss", {{"nr", uint_v(counter)}}, 0x1000),
                             percpu_map("pcpu", {uint_v(counter), uint_v(1), std::nullopt})});
  r.report.active_map_kvas = std::move(kvas);
  r.step_index = step;
  return r;
}

TEST(SampleSeriesTest, LiveVarProjectionAndPlaceholders) {
  std::vector<SampleRow> rows = {row("periodic_000", 0, 10), row("periodic_001", 100, 20)};
  SampleRow ph;
  ph.tag = "periodic_002";
  ph.elapsed_ms = 200;
  ph.report = FailureDumpReport::placeholder("rendezvous timed out");
  rows.push_back(ph);
  SampleSeries s(rows);
  auto f = s.bpf_live_u64("nr");
  EXPECT_EQ(f.label(), "nr");
  ASSERT_EQ(f.len(), 3u);
  EXPECT_EQ(*f.values()[1], 20u);
  ASSERT_FALSE(f.values()[2].has_value());
  EXPECT_EQ(f.values()[2].error().message(),
            "sample 'periodic_002' is a placeholder report (capture pipeline did not land): "
            "rendezvous timed out");
  Verdict v;
  f.nondecreasing(v);
  EXPECT_TRUE(v.passed());
  EXPECT_EQ(v.notes().size(), 1u);  // the placeholder is a gap
}

TEST(SampleSeriesTest, PhaseStabilityGate) {
  SampleSeries s({row("a", 0, 1, {0x1000}, 1), row("b", 10, 2, {0x1000}, 1),
                  row("c", 20, 3, {0x2000}, 1), row("d", 30, 4, {}, 1), row("e", 40, 5, {}, 2)});
  auto f = s.bpf_live_u64("nr");
  EXPECT_TRUE(f.values()[1].has_value());
  ASSERT_FALSE(f.values()[2].has_value());
  const auto* drift = f.values()[2].error().get_if<errors::WalkerDriftedWithinPhase>();
  ASSERT_NE(drift, nullptr);
  EXPECT_THAT(drift->pinned_kvas, ElementsAre(0x1000u));
  EXPECT_THAT(drift->sample_kvas, ElementsAre(0x2000u));
  EXPECT_TRUE(f.values()[3]
                  .error()
                  .is<errors::WalkerDriftedWithinPhase>());  // empty list in a walker phase
  EXPECT_EQ(*f.values()[4], 5u);  // phase 2 has no walker rows: passes through
}

TEST(SampleSeriesTest, MapProjectorStatsAndHostAxes) {
  std::vector<SampleRow> rows = {row("a", 0, 10), row("b", 100, 30)};
  rows[0].stats = *parse_json(R"({"busy":{"pct":12.5}})");
  PerCpuTimeStats c1;
  c1.cpu = 1;
  c1.cpustat_user_ns = 77;
  rows[1].report.per_cpu_time.push_back(c1);
  SampleSeries s(rows);
  auto sum = s.bpf_map("pcpu").field_cpu_sum_u64("");
  EXPECT_EQ(*sum.values()[0], 11u);
  EXPECT_EQ(*sum.values()[1], 31u);
  auto one = s.bpf_map("pcpu").cpu(1).field_u64("");
  EXPECT_EQ(*one.values()[1], 1u);
  auto st = s.stats_live_f64("busy.pct");
  EXPECT_DOUBLE_EQ(*st.values()[0], 12.5);
  EXPECT_EQ(st.values()[1].error().message(),
            "sample 'b': stats absent (no scheduler_binary configured for this run)");
  auto host =
      s.per_cpu_field_u64(1, "user", [](const PerCpuTimeStats& c) { return c.cpustat_user_ns; });
  EXPECT_TRUE(host.values()[0].error().is<errors::HostFieldUnavailable>());
  EXPECT_EQ(*host.values()[1], 77u);
  EXPECT_THAT(s.bpf_map("sched.bss").member_names(), ElementsAre("nr"));
}

TEST(SampleSeriesTest, JsonLinesRoundTripAndErrors) {
  SampleSeries s({row("periodic_000", 0, 1, {}, 3), row("periodic_001", 50, 2)});
  std::string text;
  for (const auto& r : s.rows()) text += SampleSeries::to_jsonl_line(r) + "\n";
  EXPECT_THAT(
      text,
      HasSubstr(
          R"({"tag":"periodic_000","elapsed_ms":0,"step_index":3,"report":{"schema":"single")"));
  auto back = SampleSeries::parse_jsonl(text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  ASSERT_EQ(back->len(), 2u);
  EXPECT_EQ(back->rows()[0].step_index, 3);
  EXPECT_EQ(back->rows()[1].report, s.rows()[1].report);
  auto bad = SampleSeries::parse_jsonl(text + "{\"tag\":\"x\"}\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("line 3: missing key 'report'"));
}

TEST(CheckExpr, ParsesThePatternsAndReportsColumns) {
  auto e = parse_expectation("steady_within(map:stats.cpu_sum(count), 500, 0.1)");
  ASSERT_TRUE(e.has_value()) << e.error().message();
  EXPECT_EQ(e->pattern, "steady_within");
  EXPECT_THAT(e->projs, ElementsAre("map:stats.cpu_sum(count)"));
  EXPECT_THAT(e->nums, ElementsAre(500, 0.1));
  auto each = parse_expectation("each(var:nr_queued).at_most(64)");
  ASSERT_TRUE(each.has_value());
  EXPECT_EQ(each->pattern, "each.at_most");
  auto bad = parse_expectation("rate_within(var:x, 0");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("at column 21: expected ',' or ')'"));
  EXPECT_THAT(parse_expectation("frobnicate(var:x)").error().message(),
              HasSubstr("unknown pattern 'frobnicate'"));
  EXPECT_THAT(parse_expectation("rate_within(var:x)").error().message(),
              HasSubstr("rate_within takes 1 projection(s) and 2 number(s), got 1 and 0"));
}

TEST(CheckExpr, EvaluatesOverASeries) {
  SampleSeries s({row("a", 0, 10), row("b", 100, 20), row("c", 200, 15)});
  auto e = parse_expectation("nondecreasing(var:nr)");
  auto v = evaluate_expectation(*e, s);
  ASSERT_TRUE(v.has_value()) << v.error().message();
  EXPECT_EQ(v->kind, VerdictKind::Fail);
  EXPECT_THAT(
      v->failures,
      ElementsAre("var:nr (nondecreasing): regression at sample c (+200ms): value 15 after prior "
                  "value 20 at sample b (+100ms)"));
  auto r = parse_expectation("ratio_within(map:pcpu.cpu_sum(), map:sched.bss.nr, 1, 1.2)");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto w = evaluate_expectation(*r, s);
  ASSERT_TRUE(w.has_value()) << w.error().message();
  EXPECT_EQ(w->kind, VerdictKind::Pass) << ::testing::PrintToString(w->failures);
  EXPECT_EQ(w->evaluated, 3u);
  // Host axis: no per_cpu_time rows in these reports, so no sample has a
  // value: inconclusive, with the reason said once.
  auto c = parse_expectation("each(cpu0:irqs_sum).at_least(0)");
  auto h = evaluate_expectation(*c, s);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  EXPECT_EQ(h->kind, VerdictKind::Inconclusive);
  EXPECT_EQ(h->evaluated, 0u);
  ASSERT_EQ(h->hints.size(), 1u);
  EXPECT_THAT(h->hints[0], HasSubstr("3 of 3 sample(s) have no value"));
  EXPECT_THAT(h->hints[0], HasSubstr("per_cpu_time has no entry for cpu 0"));
  auto unknown = parse_expectation("nondecreasing(cpu0:nope)");
  ASSERT_TRUE(unknown.has_value());
  auto r2 = evaluate_expectation(*unknown, s);
  ASSERT_FALSE(r2.has_value());
  EXPECT_THAT(r2.error().message(), HasSubstr("unknown per_cpu_time field"));
}

}  // namespace
