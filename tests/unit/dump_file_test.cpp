// ktstr's other dump schemas: the dual dump of its auto-repro VM (early and
// late snapshots) and the degraded dump (no maps). Read, written back byte
// for byte (compact and pretty), shown, walked (late by default, early on
// request), diffed early against late; a series skips such records with a note.
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

const std::string kDumpData = SCXSNAP_TEST_DATA;
const std::string kDual = kDumpData + "/dual_report.json";
const std::string kDegraded = kDumpData + "/degraded_report.json";

TEST(DumpFile, DualAndDegradedRoundTripByteForByte) {
  for (const auto& path : {kDual, kDegraded, kDumpData + "/full_report.json"}) {
    std::string text = slurp(path);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    auto d = parse_dump_file(text);
    ASSERT_TRUE(d.has_value()) << path << ": " << d.error().message();
    EXPECT_TRUE(to_json(*d) == text) << path;
    std::string pretty = to_json(*d, JsonStyle::Pretty);
    auto back = parse_dump_file(pretty);
    ASSERT_TRUE(back.has_value()) << back.error().message();
    EXPECT_EQ(*back, *d);
    EXPECT_TRUE(to_json(*back, JsonStyle::Pretty) == pretty);
  }
  // A dual dump whose early half was skipped says why.
  DualFailureDumpReport dual;
  dual.early_skipped_reason = "max_age never crossed threshold (peak=3j, threshold=100j)";
  std::string text = to_json(FailureDumpFile(dual));
  EXPECT_EQ(text, R"({"schema":"dual","late":{"schema":"single","maps":[]},"early_skipped_reason":)"
                  R"x("max_age never crossed threshold (peak=3j, threshold=100j)"})x");
  auto back = parse_dump_file(text);
  ASSERT_TRUE(back.has_value());
  auto early = report_of(*back, DumpHalf::Early);
  ASSERT_FALSE(early.has_value());
  EXPECT_THAT(early.error().message(), HasSubstr("no early snapshot (max_age never crossed"));
}

// ktstr marks both fields `#[serde(default, skip_serializing_if =
// "Option::is_none")]`: absent when none, read back from absent or null.
TEST(DumpFile, AbsentSkipReasonAndExitKindAreNotWritten) {
  EXPECT_EQ(to_json(FailureDumpFile(DualFailureDumpReport{})),
            R"({"schema":"dual","late":{"schema":"single","maps":[]}})");
  DegradedFailureDumpReport deg;
  deg.reason = "x";
  deg.bss_latch_state = "triggered";
  EXPECT_EQ(
      to_json(FailureDumpFile(deg)),
      R"({"schema":"degraded","reason":"x","watchpoint_hit":false,"bss_latch_state":"triggered"})");
  deg.exit_kind = 0;  // some(0) is not none: written
  EXPECT_EQ(
      to_json(FailureDumpFile(deg)),
      R"({"schema":"degraded","reason":"x","watchpoint_hit":false,"bss_latch_state":"triggered",)"
      R"("exit_kind":0})");
  EXPECT_EQ(to_json(FailureDumpFile(deg), JsonStyle::Pretty),
            "{\n  \"schema\": \"degraded\",\n  \"reason\": \"x\",\n  \"watchpoint_hit\": false,\n"
            "  \"bss_latch_state\": \"triggered\",\n  \"exit_kind\": 0\n}");
  // null reads as none, and is then not written.
  auto dual = parse_dump_file(
      R"({"schema":"dual","late":{"schema":"single","maps":[]},"early_skipped_reason":null})");
  ASSERT_TRUE(dual.has_value()) << dual.error().message();
  EXPECT_EQ(to_json(*dual), R"({"schema":"dual","late":{"schema":"single","maps":[]}})");
  auto degraded = parse_dump_file(
      R"({"schema":"degraded","reason":"x","watchpoint_hit":true,"bss_latch_state":"not_resolved",)"
      R"("exit_kind":null,"elapsed_ms":5})");
  ASSERT_TRUE(degraded.has_value()) << degraded.error().message();
  EXPECT_EQ(
      to_json(*degraded),
      R"({"schema":"degraded","reason":"x","watchpoint_hit":true,"bss_latch_state":"not_resolved",)"
      R"("elapsed_ms":5})");
}

TEST(DumpFile, RejectsWhatSerdeRejectsWithThePath) {
  auto no_late = parse_dump_file(R"({"schema":"dual","early":{"schema":"single","maps":[]}})");
  ASSERT_FALSE(no_late.has_value());
  EXPECT_THAT(no_late.error().message(), HasSubstr("missing field `late`"));
  auto bad_inner = parse_dump_file(R"({"schema":"dual","late":{"schema":"single","maps":[{}]}})");
  ASSERT_FALSE(bad_inner.has_value());
  EXPECT_THAT(bad_inner.error().message(), HasSubstr("late.maps[0]"));
  auto latch = parse_dump_file(
      R"({"schema":"degraded","reason":"x","watchpoint_hit":true,"bss_latch_state":"maybe"})");
  ASSERT_FALSE(latch.has_value());
  EXPECT_THAT(latch.error().message(), HasSubstr("bss_latch_state: unknown variant `maybe`"));
  auto regs =
      parse_dump_file(R"({"schema":"degraded","reason":"x","vcpu_regs":[{}],"watchpoint_hit":true,)"
                      R"("bss_latch_state":"triggered"})");
  ASSERT_FALSE(regs.has_value());
  EXPECT_THAT(regs.error().message(),
              HasSubstr("at vcpu_regs[0]: missing field `instruction_pointer`"));
  auto no_reason = parse_dump_file(
      R"({"schema":"degraded","watchpoint_hit":true,"bss_latch_state":"triggered"})");
  ASSERT_FALSE(no_reason.has_value());
  EXPECT_THAT(no_reason.error().message(), HasSubstr("missing field `reason`"));
}

TEST(DumpFile, TheCliShowsWalksAndDiffsBothHalves) {
  CliResult show = run_cli({"show", kDual});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("early_max_age_jiffies: 1500   early_threshold_jiffies: 1000"));
  EXPECT_THAT(show.out, HasSubstr("== late snapshot"));
  EXPECT_THAT(show.out, HasSubstr("== early snapshot"));
  CliResult js = run_cli({"show", "--json", kDual});
  auto doc = parse_json(js.out);
  ASSERT_TRUE(doc.has_value()) << js.out;
  EXPECT_EQ(doc->find("schema")->text(), "dual");
  EXPECT_TRUE(doc->find("early")->is_object());

  EXPECT_EQ(run_cli({"var", kDual, "nr_dispatched"}).out, "907\n");
  EXPECT_EQ(run_cli({"var", kDual, "nr_dispatched", "--early"}).out, "900\n");
  EXPECT_EQ(run_cli({"map", kDual, "pcpu_stats", "--sum", ".", "--early"}).out, "0: 55\n");
  CliResult diff = run_cli({"diff", kDual});
  EXPECT_EQ(diff.exit_code, 1);  // as diff(1): the inputs differ
  EXPECT_EQ(diff.out, "~ scx_demo.bss nr_dispatched: 900 → 907 (+7)\n1 change(s)\n");

  CliResult deg = run_cli({"show", kDegraded});
  EXPECT_EQ(deg.exit_code, 0);
  EXPECT_THAT(deg.out, HasSubstr("reason: vCPU rendezvous timed out before parked"));
  EXPECT_THAT(deg.out, HasSubstr("bss_latch_state: not_triggered"));
  CliResult v = run_cli({"var", kDegraded, "nr_dispatched"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("a degraded dump holds no maps or globals"));
  v = run_cli({"var", kDumpData + "/sample_report.json", "nr_dispatched", "--early"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.err, HasSubstr("only in a dual dump"));

  TempDir d;
  for (const auto& in : {kDual, kDegraded}) {
    std::string out = d.path() + "/out.json";
    ASSERT_EQ(run_cli({"convert", in, out}).exit_code, 0);
    EXPECT_TRUE(slurp(out) == slurp(in)) << in;
  }
}

TEST(DumpFile, ASeriesSkipsDualRecordsWithANote) {
  std::string single = slurp(kDumpData + "/sample_report.json"), dual = slurp(kDual);
  while (single.back() == '\n') single.pop_back();
  while (dual.back() == '\n') dual.pop_back();
  std::string text = R"({"tag":"periodic_000","elapsed_ms":0,"report":)" + single + "}\n" +
                     R"({"tag":"periodic_001","elapsed_ms":100,"report":)" + dual + "}\n" +
                     R"({"tag":"periodic_002","elapsed_ms":200,"report":)" + single + "}\n";
  auto s = SampleSeries::parse_jsonl(text);
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->len(), 2u);
  ASSERT_EQ(s->notes().size(), 1u);
  EXPECT_EQ(s->notes()[0], "line 2 (tag 'periodic_001'): a dual dump is not a sample; skipped");
  TempDir d;
  spit(d.path() + "/s.jsonl", text);
  CliResult r =
      run_cli({"check", d.path() + "/s.jsonl", "--expect", "nondecreasing(var:nr_dispatched)"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("NOTE: line 2 (tag 'periodic_001'): a dual dump is not a sample"));
}

}  // namespace
