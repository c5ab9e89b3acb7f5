// The small things a new user meets first: an unknown command names the
// nearest one, `map FILE` lists the maps, readers say when they were given a
// series or a file that is not there.
#include "cli_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::string kExamples = std::string(SCXSNAP_TEST_DATA) + "/../../examples";

TEST(CliSmallThings, AnUnknownCommandNamesTheNearest) {
  CliResult r = run_cli({"shw", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'shw' is not a command (did you mean show"));
  EXPECT_THAT(r.err, HasSubstr("commands: capture, show, var, map"));
  r = run_cli({"bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'bogus' is not a command; commands:"));
}

TEST(CliSmallThings, MapWithoutANameListsTheMaps) {
  CliResult r = run_cli({"map", kExamples + "/dump.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scx_demo.bss\tarray\tid 10\tmax_entries 1\n"));
  EXPECT_THAT(r.out, HasSubstr("pcpu_stats\tpercpu_array\tid 11\tmax_entries 1\n"));
  EXPECT_THAT(r.out, HasSubstr("2 map(s)"));
  r = run_cli({"map", kExamples + "/dump.json", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, R"([{"name":"scx_demo.bss","map_type":"array","map_id":10,"max_entries":1},)"
                   R"({"name":"pcpu_stats","map_type":"percpu_array","map_id":11,"max_entries":1}])"
                   "\n");
}

TEST(CliSmallThings, ReadersSayWhatTheyWereGiven) {
  TempDir d;
  const std::string series = d.path() + "/s.jsonl";
  spit(series, R"({"tag":"periodic_000","elapsed_ms":0,"report":)" +
                   slurp(kExamples + "/dump.json")
                       .substr(0, slurp(kExamples + "/dump.json").find_last_not_of("\n") + 1) +
                   "}\n");
  CliResult r = run_cli({"convert", series, d.path() + "/out.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("this file is a series of reports from `scxsnap watch`"));
  r = run_cli({"report", d.path() + "/missing.json", "-o", d.path() + "/p.html", "--expect",
               "nondecreasing(var:x)"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no such file"));
  EXPECT_THAT(r.err, Not(HasSubstr("single dump")));
}

}  // namespace
