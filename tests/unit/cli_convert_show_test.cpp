// The CLI's convert and show commands, run as a user would.
#include "cli_util.hpp"
#include "test_util.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

TEST(CliConvert, KtstrDumpComesBackByteIdentical) {
  TempDir dir;
  std::string out = dir.path() + "/out.json";
  CliResult r = run_cli({"convert", std::string(SCXSNAP_TEST_DATA) + "/full_report.json", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(slurp(out) == read_test_file("full_report.json"));
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CliConvert, TrailingNewlineOfTheInputIsMirrored) {
  TempDir dir;
  std::string in = dir.path() + "/in.json", out = dir.path() + "/out.json";
  spit(in, read_test_file("minimal_report.json") + "\n");
  ASSERT_EQ(run_cli({"convert", in, out}).exit_code, 0);
  EXPECT_EQ(slurp(out), slurp(in));
}

TEST(CliConvert, PrettyThenCompactRestoresTheOriginal) {
  TempDir dir;
  std::string pretty = dir.path() + "/p.json", back = dir.path() + "/b.json";
  ASSERT_EQ(
      run_cli({"convert", "--pretty", std::string(SCXSNAP_TEST_DATA) + "/full_report.json", pretty})
          .exit_code,
      0);
  EXPECT_THAT(slurp(pretty), HasSubstr("\n  \"schema\": \"single\",\n"));
  ASSERT_EQ(run_cli({"convert", pretty, back}).exit_code, 0);
  // The pretty file ends with a newline, which the compact output mirrors.
  EXPECT_TRUE(slurp(back) == read_test_file("full_report.json") + "\n");
}

TEST(CliConvert, MalformedInputExits2NamesThePathAndLeavesNothing) {
  TempDir dir;
  std::string in = dir.path() + "/bad.json", out = dir.path() + "/out.json";
  std::string text = read_test_file("full_report.json");
  auto pos = text.find("\"kind\":\"cpu_list\"");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 17, "\"kind\":\"cpu_lust\"");
  spit(in, text);
  CliResult r = run_cli({"convert", in, out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.json"));
  EXPECT_THAT(r.err, HasSubstr("maps[0].value.members[16].value.kind"));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(CliConvert, ExistingOutputIsNotClobberedOnError) {
  TempDir dir;
  std::string in = dir.path() + "/bad.json", out = dir.path() + "/out.json";
  spit(in, "{\"schema\":\"single\",\"maps\":[");
  spit(out, "keep me");
  EXPECT_EQ(run_cli({"convert", in, out}).exit_code, 2);
  EXPECT_EQ(slurp(out), "keep me");
}

TEST(CliConvert, MissingInputAndUnwritableOutput) {
  TempDir dir;
  CliResult r = run_cli({"convert", dir.path() + "/nope.json", dir.path() + "/o.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.json"));
  r = run_cli({"convert", std::string(SCXSNAP_TEST_DATA) + "/minimal_report.json",
               dir.path() + "/no/such/dir/o.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("o.json"));
}

TEST(CliConvert, StdinToStdout) {
  CliResult r = run_cli({"convert", "-", "-"}, read_test_file("minimal_report.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_test_file("minimal_report.json"));
}

TEST(CliShow, SummarisesMapsContextAndGaps) {
  CliResult r = run_cli({"show", std::string(SCXSNAP_TEST_DATA) + "/full_report.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("schema: single   placeholder: yes"));
  EXPECT_THAT(r.out, HasSubstr("active object: scx_demo"));
  EXPECT_THAT(r.out, HasSubstr("task_ctx_map"));
  EXPECT_THAT(r.out, HasSubstr("2 entries"));
  EXPECT_THAT(r.out, HasSubstr("percpu_array"));
  EXPECT_THAT(r.out, HasSubstr("1 keys x 3 cpus"));
  EXPECT_THAT(r.out, HasSubstr("error: value region unreadable"));
  EXPECT_THAT(r.out, HasSubstr("per_node_numa: no NUMA walker (host-side walker pending)"));
  EXPECT_THAT(r.out, HasSubstr("per_cpu_time: 2 cpus"));
  EXPECT_THAT(r.out, HasSubstr("event_counter_timeline: 1 samples"));
}

TEST(CliShow, BadUsageExits2) {
  EXPECT_EQ(run_cli({"show"}).exit_code, 2);
  EXPECT_EQ(run_cli({"frobnicate"}).exit_code, 2);
}

}  // namespace

namespace {

// A command given the other kind of file says which kind it is.
TEST(CliFileKind, ShowOnASeriesAndCheckOnAReportSaySo) {
  TempDir d;
  std::string report = read_test_file("minimal_report.json");
  while (!report.empty() && report.back() == '\n') report.pop_back();
  std::string series = d.path() + "/s.jsonl";
  spit(series, R"({"tag":"periodic_000","elapsed_ms":0,"report":)" + report + "}\n");
  CliResult show = run_cli({"show", series});
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_THAT(show.err, HasSubstr("this file is a series of reports"));
  CliResult check = run_cli({"check", std::string(SCXSNAP_TEST_DATA) + "/minimal_report.json",
                             "--expect", "nondecreasing(var:x)"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("this file is a single report, not a series"));
}

}  // namespace
