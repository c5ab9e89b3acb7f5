// A JSON report read for some maps only (what `var` and `map` ask for): the
// maps named are the whole document's, byte for byte in the model; the others
// keep their name, ids, type, sizes and error but not their contents; a
// document that is not a single report is left to the whole reader.
#include "cli_util.hpp"
#include "report/report_reader.hpp"
#include "scxsnap/scxsnap.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;

namespace {

const std::string kFull = std::string(SCXSNAP_TEST_DATA) + "/full_report.json";

bool has_contents(const FailureDumpMap& m) {
  return m.value || !m.entries.empty() || !m.array_entries.empty() || !m.percpu_entries.empty() ||
         !m.percpu_hash_entries.empty() || m.arena || m.stack_trace || m.fd_array;
}

TEST(ReportSelected, NamedMapsAreTheWholeReadsAndTheOthersSkeletons) {
  auto whole = load_report(kFull);
  ASSERT_TRUE(whole) << whole.error().message();
  ASSERT_GE(whole->maps.size(), 10u);
  for (std::size_t i = 0; i < whole->maps.size(); ++i) {
    const FailureDumpMap& want = whole->maps[i];
    detail::ReportSelection sel;
    sel.maps = {want.name};
    auto part = detail::load_report_selected(kFull, sel);
    ASSERT_TRUE(part) << want.name;
    ASSERT_EQ(part->maps.size(), whole->maps.size());
    for (std::size_t k = 0; k < part->maps.size(); ++k) {
      const FailureDumpMap& got = part->maps[k];
      EXPECT_EQ(got.name, whole->maps[k].name);
      EXPECT_EQ(got.map_id, whole->maps[k].map_id);
      EXPECT_EQ(got.map_type, whole->maps[k].map_type);
      EXPECT_EQ(got.error, whole->maps[k].error);
      if (got.name == want.name)
        EXPECT_TRUE(got == whole->maps[k]) << want.name;
      else
        EXPECT_FALSE(has_contents(got)) << got.name << " read for " << want.name;
    }
    // The report's other fields are the whole read's.
    EXPECT_EQ(part->per_cpu_time, whole->per_cpu_time);
  }
  // Global sections (what `var` reads): every section whole.
  detail::ReportSelection globals;
  globals.global_sections = true;
  auto g = detail::load_report_selected(kFull, globals);
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->maps[0] == whole->maps[0]);  // scx_demo.bss
  EXPECT_FALSE(has_contents(g->maps[1]));     // task_ctx_map
}

TEST(ReportSelected, OtherDocumentsAreLeftToTheWholeReader) {
  detail::ReportSelection sel;
  sel.maps = {"x"};
  EXPECT_FALSE(
      detail::load_report_selected(std::string(SCXSNAP_TEST_DATA) + "/dual_report.json", sel));
  TempDir d;
  spit(d.path() + "/bad.json", "{\"schema\":\"single\",\"maps\":[{\"name\":\"a\"}");
  EXPECT_FALSE(detail::load_report_selected(d.path() + "/bad.json", sel));
  // ... and the CLI then gives the whole reader's precise error.
  CliResult r = run_cli({"map", d.path() + "/bad.json", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("bad.json"));
}

// The commands print the same through it as through the whole read (a
// report on stdin is read whole: it cannot be scanned in place).
TEST(ReportSelected, VarAndMapPrintWhatTheWholeReadPrints) {
  auto whole = load_report(kFull);
  ASSERT_TRUE(whole);
  const std::string text = slurp(kFull);
  for (const auto& m : whole->maps) {
    for (bool json : {false, true}) {
      std::vector<std::string> file = {"map", kFull, m.name}, in = {"map", "-", m.name};
      if (json) {
        file.push_back("--json");
        in.push_back("--json");
      }
      CliResult a = run_cli(file), b = run_cli(in, text);
      EXPECT_EQ(a.exit_code, b.exit_code) << m.name;
      EXPECT_EQ(a.out, b.out) << m.name;
      EXPECT_EQ(a.err, b.err) << m.name;
    }
  }
  for (const char* var : {"nr_dispatched", "no_such_global"}) {
    CliResult a = run_cli({"var", kFull, var}), b = run_cli({"var", "-", var}, text);
    EXPECT_EQ(a.exit_code, b.exit_code) << var;
    EXPECT_EQ(a.out, b.out) << var;
    EXPECT_EQ(a.err, b.err) << var;
  }
}

}  // namespace
