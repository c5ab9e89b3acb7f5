// The CLI's var and map commands: values, JSON output, exit codes.
#include "cli_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;

namespace {

const std::string kReport = std::string(SCXSNAP_TEST_DATA) + "/sample_report.json";

TEST(CliVar, PrintsValuesPathsAndJson) {
  CliResult r = run_cli({"var", kReport, "nr_dispatched"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "907\n");
  EXPECT_EQ(run_cli({"var", kReport, "big"}).out, "18446744073709551615\n");
  EXPECT_EQ(run_cli({"var", kReport, "leader", "--path", "pid"}).out, "1234\n");
  EXPECT_EQ(run_cli({"var", kReport, "mode", "--json"}).out,
            "{\"kind\":\"enum\",\"bits\":32,\"value\":1,\"variant\":\"MODE_FAST\",\"is_signed\":"
            "false}\n");
  EXPECT_EQ(run_cli({"var", kReport, "nr_dispatched", "--live"}).out, "907\n");
}

TEST(CliVar, AbsentIsExit1BadPathIsExit2) {
  CliResult absent = run_cli({"var", kReport, "nope"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_THAT(absent.err, HasSubstr("snapshot has no global variable 'nope'"));
  EXPECT_EQ(absent.out, "");
  CliResult bad = run_cli({"var", kReport, "leader", "--path", "a..b"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("empty component"));
  EXPECT_EQ(run_cli({"var", "/nonexistent.json", "x"}).exit_code, 2);
}

TEST(CliMap, ListsEntriesWithKeys) {
  CliResult r = run_cli({"map", kReport, "task_ctx_map", "--path", "runtime_ns"});
  EXPECT_THAT(r.out, HasSubstr("4321: 5000000\n"));
  EXPECT_EQ(r.exit_code, 1);  // the second entry has no rendered value
  EXPECT_THAT(r.err, HasSubstr("map 'task_ctx_map' has no rendered value (no BTF for it): drop "
                               "--path to see its bytes"));
  // Without a path, an entry without BTF prints as its bytes.
  r = run_cli({"map", kReport, "task_ctx_map"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "4321: task_ctx{runtime_ns=5000000}\nhex:01 00 00 00: hex:00\n");
}

TEST(CliMap, PerCpuSlotsNarrowingAndSums) {
  EXPECT_EQ(run_cli({"map", kReport, "pcpu_stats"}).out, "0: cpu0=11 cpu2=44\n");
  EXPECT_EQ(run_cli({"map", kReport, "pcpu_stats", "--sum", "."}).out, "0: 55\n");
  CliResult c2 = run_cli({"map", kReport, "pcpu_stats", "--cpu", "2", "--at", "0"});
  EXPECT_EQ(c2.exit_code, 0);
  EXPECT_EQ(c2.out, "44\n");
  CliResult c1 = run_cli({"map", kReport, "pcpu_stats", "--cpu", "1", "--at", "0"});
  EXPECT_EQ(c1.exit_code, 1);
  EXPECT_THAT(c1.err, HasSubstr("cpu 1 per-CPU slot is unmapped"));
}

TEST(CliMap, MissingAndBrokenMaps) {
  CliResult missing = run_cli({"map", kReport, "no_such_map"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("snapshot has no map 'no_such_map'"));
  CliResult broken = run_cli({"map", kReport, "broken_map"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.err, HasSubstr("render failed at capture): value region unreadable"));
  CliResult oob = run_cli({"map", kReport, "task_ctx_map", "--at", "9"});
  EXPECT_EQ(oob.exit_code, 1);
  EXPECT_THAT(oob.err, HasSubstr("index 9 out of range (length 2)"));
}

}  // namespace
