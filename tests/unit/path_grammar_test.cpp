// One path grammar for var --path, map --path and assertions (scxsnap
// extensions of ktstr's dotted walk): [N] indexes arrays, anonymous
// struct/union members are reached by their members' names as in C, and a
// value cut to the render budget is walked into (what it kept).
#include "cli_util.hpp"
#include "scxsnap/expect.hpp"
#include "snapshot_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::HasSubstr;

namespace {

RenderedValue layer(std::uint64_t nr) {
  return strukt("layer", {{"nr_tasks", uint_v(nr)}});
}

FailureDumpReport layered(std::uint64_t base) {
  std::vector<RenderedValue> layers;
  for (std::uint64_t i = 0; i < 4; ++i) layers.push_back(layer(base + i));
  RenderedValue anon = RenderedValue::make_struct(
      std::nullopt, {{"word", uint_v(0xabcd)}, {"bytes", array_v({uint_v(1, 8), uint_v(2, 8)})}});
  RenderedValue ctx = strukt("ctx", {{"", anon}, {"weight", uint_v(100)}});
  RenderedValue cut =
      RenderedValue::make_truncated(64, 16, RenderedValue::make_array(8, {uint_v(7), uint_v(8)}));
  return make_report_with_maps({make_global_map(
      "sched.bss", {{"layers", array_v(std::move(layers))}, {"ctx", ctx}, {"hist", cut}})});
}

TEST(PathGrammar, IndicesAnonymousMembersAndCutValues) {
  FailureDumpReport r = layered(10);
  Snapshot s(r);
  SnapshotField root = s.var("layers");
  EXPECT_EQ(root.get("[3].nr_tasks").as_u64(), 13u);
  EXPECT_EQ(s.var("ctx").get("word").as_u64(), 0xabcdu);  // through the anonymous union
  EXPECT_EQ(s.var("ctx").get("bytes[1]").as_u64(), 2u);
  EXPECT_EQ(s.var("hist").get("[1]").as_u64(), 8u);  // inside the cut value
  auto gone = s.var("hist").get("[5]");
  ASSERT_FALSE(gone.is_present());
  EXPECT_THAT(gone.error()->message(), HasSubstr("element 5 of 8 was not captured"));
  auto past = root.get("[4]");
  ASSERT_FALSE(past.is_present());
  EXPECT_THAT(past.error()->message(), HasSubstr("index 4 out of range (length 4)"));
  EXPECT_FALSE(root.get("[x]").is_present());
  EXPECT_FALSE(s.var("ctx").get("weight[0]").is_present());  // not an array
}

TEST(PathGrammar, TheSameGrammarInVarMapAndAssertions) {
  TempDir d;
  const std::string f = d.path() + "/r.json";
  spit(f, to_json(layered(10)));
  CliResult r = run_cli({"var", f, "layers", "--path", "[2].nr_tasks"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "12\n");
  r = run_cli({"var", f, "ctx", "--path", "bytes[0]"});
  EXPECT_EQ(r.out, "1\n");
  r = run_cli({"map", f, "sched.bss", "--path", "layers[1].nr_tasks"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "11\n");

  std::vector<SampleRow> rows;
  for (std::uint64_t k = 0; k < 3; ++k) {
    SampleRow row;
    row.tag = "periodic_00" + std::to_string(k);
    row.elapsed_ms = k * 100;
    row.report = layered(10 + k);
    rows.push_back(std::move(row));
  }
  SampleSeries series(std::move(rows));
  for (const char* text : {"strictly_increasing(var:layers[3].nr_tasks)",
                           "strictly_increasing(map:sched.bss.layers[0].nr_tasks)",
                           "each(var:sched/ctx.word).between(43981, 43981)"}) {
    auto e = parse_expectation(text);
    ASSERT_TRUE(e.has_value()) << text << ": " << e.error().message();
    auto o = evaluate_expectation(*e, series);
    ASSERT_TRUE(o.has_value()) << text << ": " << o.error().message();
    EXPECT_EQ(o->kind, VerdictKind::Pass) << text;
    EXPECT_EQ(o->evaluated, 3u) << text;
  }
}

}  // namespace
