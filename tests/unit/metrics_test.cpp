// Reports as Prometheus text (scxsnap/metrics.hpp): the shipped sample
// report's globals, per-CPU sums, occupancy, ring buffer and errors; the cap
// and the selection; label escaping; the CLI writing the same text.
#include "scxsnap/metrics.hpp"

#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

using namespace scxsnap;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

FailureDumpReport sample() {
  auto f = load_dump_file(std::string(SCXSNAP_TEST_DATA) + "/sample_report.json");
  EXPECT_TRUE(f.has_value());
  return std::get<FailureDumpReport>(*f);
}

// The lines of the text that are samples (not comments).
std::vector<std::string> samples(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

TEST(Metrics, GlobalsAreSeriesCountersByTheirNames) {
  const auto t = metrics::to_prometheus(sample());
  EXPECT_THAT(t.text, HasSubstr("# TYPE scx_global_counter_total counter\n"));
  EXPECT_THAT(t.text, HasSubstr("scx_global_counter_total{obj=\"scx_demo\",section=\"bss\",var="
                                "\"nr_dispatched\",path=\"\"} 907\n"));
  EXPECT_THAT(t.text, HasSubstr("# TYPE scx_global gauge\n"));
  // Every sample line is NAME{LABELS} VALUE, and the count is what the text says.
  const auto lines = samples(t.text);
  std::size_t capped = 0;
  for (const auto& l : lines) {
    EXPECT_THAT(l, ::testing::MatchesRegex(R"(scx_[a-z_]+(\{.*\})? -?[0-9.e+]+)")) << l;
    if (!l.starts_with("scx_metrics_") && !l.starts_with("scx_capture_")) ++capped;
  }
  EXPECT_EQ(capped, t.series);
  EXPECT_EQ(t.dropped, 0u);
  EXPECT_THAT(t.text, HasSubstr(fmt::format("scx_metrics_series {}\n", t.series)));
}

TEST(Metrics, PerCpuValuesAreSummedAndOptionallySplit) {
  const FailureDumpReport r = sample();
  Snapshot s(r);
  const auto sum = s.map("pcpu_stats")->at(0).cpu_sum_u64("");
  ASSERT_TRUE(sum.has_value());
  const auto t = metrics::to_prometheus(r);
  EXPECT_THAT(t.text, HasSubstr(fmt::format(
                          "scx_percpu_sum{{map=\"pcpu_stats\",key=\"0\",path=\"\"}} {}\n", *sum)));
  EXPECT_THAT(t.text, Not(HasSubstr("scx_percpu{")));
  metrics::MetricsOptions o;
  o.per_cpu = true;
  const auto split = metrics::to_prometheus(r, o);
  EXPECT_THAT(split.text,
              HasSubstr("scx_percpu{map=\"pcpu_stats\",key=\"0\",cpu=\"0\",path=\"\"} "));
}

TEST(Metrics, OccupancyRingBufferAndErrors) {
  const auto t = metrics::to_prometheus(sample());
  EXPECT_THAT(t.text, HasSubstr("scx_map_entries{map=\"task_ctx_map\",type=\"hash\"} 2\n"));
  EXPECT_THAT(t.text, HasSubstr("scx_map_max_entries{map=\"task_ctx_map\",type=\"hash\"} 1024\n"));
  EXPECT_THAT(t.text, HasSubstr("scx_ringbuf_pending_bytes{map=\"events_rb\"} 400\n"));
  EXPECT_THAT(t.text, HasSubstr("scx_map_error{map=\"broken_map\"} 1\n"));
  EXPECT_THAT(t.text, HasSubstr("scx_capture_duration_seconds 0.001234\n"));
}

TEST(Metrics, TheCapCountsWhatItLeavesOut) {
  const FailureDumpReport r = sample();
  const auto all = metrics::to_prometheus(r);
  metrics::MetricsOptions o;
  o.max_series = 3;
  const auto capped = metrics::to_prometheus(r, o);
  EXPECT_EQ(capped.series, 3u);
  EXPECT_EQ(capped.dropped, all.series - 3);
  EXPECT_THAT(capped.text,
              HasSubstr(fmt::format("scx_metrics_dropped_series {}\n", all.series - 3)));
}

TEST(Metrics, SelectKeepsWhatMatches) {
  metrics::MetricsOptions o;
  o.select = {"scx_demo.bss.nr_*", "pcpu_stats"};
  const auto t = metrics::to_prometheus(sample(), o);
  for (const auto& l : samples(t.text)) {
    if (l.starts_with("scx_metrics_") || l.starts_with("scx_capture_")) continue;
    EXPECT_TRUE(l.find("nr_dispatched") != std::string::npos ||
                l.find("pcpu_stats") != std::string::npos)
        << l;
  }
  EXPECT_THAT(t.text, HasSubstr("var=\"nr_dispatched\""));
  EXPECT_THAT(t.text, HasSubstr("scx_map_entries{map=\"pcpu_stats\""));
  EXPECT_TRUE(metrics::glob_match("a*c", "abbc"));
  EXPECT_TRUE(metrics::glob_match("a?c", "abc"));
  EXPECT_FALSE(metrics::glob_match("a*d", "abbc"));
  EXPECT_TRUE(metrics::glob_match("*", ""));
}

TEST(Metrics, LabelValuesAreEscaped) {
  FailureDumpReport r;
  FailureDumpMap m;
  m.name = "we\"ird\\name\nx";
  m.map_type = 1;
  m.max_entries = 4;
  r.maps.push_back(m);
  const auto t = metrics::to_prometheus(r);
  EXPECT_THAT(t.text,
              HasSubstr("scx_map_entries{map=\"we\\\"ird\\\\name\\nx\",type=\"hash\"} 0\n"));
}

TEST(MetricsCli, WritesTheTextAtomicallyFromAReportOrATape) {
  TempDir dir;
  const std::string out = dir.path() + "/scx.prom";
  auto r = run_cli(
      {"metrics", "--from", std::string(SCXSNAP_TEST_DATA) + "/sample_report.json", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(out), metrics::to_prometheus(sample()).text);
  // A live capture's code path, without root: the committed kernel tape.
  auto t = run_cli({"metrics", "--replay-kernel",
                    std::string(SCXSNAP_TEST_DATA) + "/tapes/objects.tape", "--obj", "cc"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("var=\"nr_cong_avoid\""));
  EXPECT_THAT(t.out, HasSubstr("scx_capture_duration_seconds "));
  auto bad = run_cli({"metrics", "--from", dir.path() + "/absent.json", "-o", out + ".2"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out + ".2"));
}

}  // namespace
