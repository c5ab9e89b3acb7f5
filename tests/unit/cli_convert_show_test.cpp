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
  EXPECT_TRUE(slurp(back) == read_test_file("full_report.json"));
  // Like ktstr's to_string_pretty, pretty output has no final newline unless
  // the input had one: a pretty dump converts to itself byte for byte.
  EXPECT_NE(slurp(pretty).back(), '\n');
  std::string again = dir.path() + "/again.json";
  ASSERT_EQ(run_cli({"convert", "--pretty", pretty, again}).exit_code, 0);
  EXPECT_TRUE(slurp(again) == slurp(pretty));
  spit(pretty, slurp(pretty) + "\n");
  ASSERT_EQ(run_cli({"convert", "--pretty", pretty, again}).exit_code, 0);
  EXPECT_TRUE(slurp(again) == slurp(pretty));
}

// Floats round-trip in the style of the serde_json that wrote them: 1.0.147+
// (zmij, "1e+16") or 1.0.146 and older (ryu, "1e16"); scxsnap's own floats
// are written as today's serde_json writes them.
TEST(CliConvert, FloatsKeepTheirSerdeJsonEra) {
  TempDir dir;
  const std::string head =
      R"({"schema":"single","maps":[{"name":"x.bss","map_type":2,"value_size":8,"max_entries":1,)"
      R"("value":{"kind":"struct","type_name":".bss","members":[)";
  auto doc = [&](const std::string& a, const std::string& b) {
    return head + R"({"name":"a","value":{"kind":"float","bits":64,"value":)" + a + R"(}},)" +
           R"({"name":"b","value":{"kind":"float","bits":64,"value":)" + b + R"(}}]}}]})";
  };
  for (const auto& [a, b] :
       {std::pair{"1e+16", "1.7976931348623157e+308"}, std::pair{"1e16", "1.7976931348623157e308"},
        std::pair{"2.5e-7", "0.5"}}) {
    std::string in = dir.path() + "/in.json", out = dir.path() + "/out.json";
    for (bool pretty : {false, true}) {
      std::string text = doc(a, b);
      if (pretty) {
        ASSERT_EQ(run_cli({"convert", "--pretty", (spit(in, text), in), out}).exit_code, 0);
        text = slurp(out);
      }
      spit(in, text);
      CliResult r = run_cli(pretty ? std::vector<std::string>{"convert", "--pretty", in, out}
                                   : std::vector<std::string>{"convert", in, out});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(slurp(out) == text) << a << " pretty=" << pretty << "\n" << slurp(out);
    }
  }
  // A value serde cannot read back (null for an f64) is refused, with its path.
  std::string in = dir.path() + "/null.json";
  spit(in, doc("null", "1.0"));
  CliResult r = run_cli({"convert", in, dir.path() + "/o.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("maps[0].value.members[0].value.value: expected a number, found null"));
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

// A value without BTF is summarised by its first 16 bytes and its size
// (`map` prints it whole): a 4 KiB untyped buffer stays one short line.
TEST(CliShow, UntypedValueIsSummarisedNotDumped) {
  TempDir d;
  std::string hex;
  for (int i = 0; i < 4096; ++i) hex += (i ? " " : "") + std::string(i == 20 ? "7f" : "00");
  const std::string path = d.path() + "/r.json";
  spit(path, R"({"schema":"single","maps":[{"name":"buf","map_type":2,"value_size":4096,)"
             R"("max_entries":1,"value":{"kind":"bytes","hex":")" +
                 hex + R"("}}]})");
  CliResult r = run_cli({"show", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("value: bytes 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ... "
                               "(4096 bytes)\n"));
  CliResult m = run_cli({"map", path, "buf"});
  EXPECT_THAT(m.out, HasSubstr(" 7f "));
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
