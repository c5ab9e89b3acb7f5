// The small things a new user meets first: an unknown command names the
// nearest one, `map FILE` lists the maps, readers say when they were given a
// series or a file that is not there.
#include "cli_util.hpp"
#include "snapshot_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

using scxsnap::DisplayOptions;
using scxsnap::RenderedValue;
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

namespace {

// `map --json` prints one JSON document (jq reads it, as bpftool -j's);
// --cpu and --sum that cannot apply are bad usage, said once.
TEST(CliSmallThings, MapJsonIsOneDocumentAndPerCpuFlagsAreChecked) {
  const std::string dump = kExamples + "/dump.json";
  CliResult r = run_cli({"map", dump, "pcpu_stats", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"([{"key":0,"cpus":[{"cpu":0,"value":{"kind":"uint","bits":64,"value":1}},)"
                   R"({"cpu":1,"value":{"kind":"uint","bits":64,"value":2}},)"
                   R"({"cpu":2,"value":{"kind":"uint","bits":64,"value":44}},)"
                   R"({"cpu":3,"value":{"kind":"uint","bits":64,"value":8}}]}])"
                   "\n");
  r = run_cli({"map", dump, "pcpu_stats", "--sum", ".", "--json"});
  EXPECT_EQ(r.out, "[{\"key\":0,\"sum\":55}]\n");
  r = run_cli({"map", dump, "pcpu_stats", "--sum", ".", "--at", "0", "--json"});
  EXPECT_EQ(r.out, "{\"key\":0,\"sum\":55}\n");
  r = run_cli({"map", dump, "scx_demo.bss", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.starts_with("[{\"value\":{\"kind\":\"struct\"")) << r.out;
  EXPECT_TRUE(r.out.ends_with("}]\n"));

  r = run_cli({"map", dump, "pcpu_stats", "--sum", "zz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'zz'"));
  r = run_cli({"map", dump, "pcpu_stats", "--cpu", "99"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--cpu 99: 'pcpu_stats' has slots for CPUs 0-3"));
  for (const char* flag : {"--cpu", "--sum"}) {
    r = run_cli({"map", dump, "scx_demo.bss", flag, "0"});
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_THAT(r.err, HasSubstr("applies to per-CPU maps")) << flag;
  }
}

}  // namespace

namespace {

// A sum across CPUs past 2^64-1 is said, never a silent 18446744073709551615.
TEST(CliSmallThings, ASumPastU64IsSaid) {
  TempDir d;
  const std::string f = d.path() + "/big.json";
  spit(f, to_json(fx::make_report_with_maps(
              {fx::percpu_map("big", {fx::uint_v(UINT64_MAX), fx::uint_v(5)})})));
  CliResult r = run_cli({"map", f, "big", "--sum", "."});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0: 1.84467e+19 (past 2^64-1"));
}

}  // namespace

namespace {

// Pages are made for sharing: they follow the umask; what a capture or a
// convert writes stays the owner's (0600).
TEST(CliSmallThings, PagesFollowTheUmaskDumpsStayPrivate) {
  TempDir d;
  const std::string page = d.path() + "/p.html", copy = d.path() + "/c.json";
  const mode_t old = ::umask(027);
  CliResult r = run_cli({"report", kExamples + "/dump.json", "-o", page});
  CliResult c = run_cli({"convert", kExamples + "/dump.json", copy});
  ::umask(old);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  struct stat st {};
  ASSERT_EQ(::stat(page.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace

namespace {

// Text output is valid UTF-8 whatever a char array holds: well-formed
// sequences pass, any other byte at or above 0x80 is escaped like a control
// byte (a comm of "caf\xe9" printed raw broke terminals and pipes).
TEST(CliSmallThings, TextOfCharArraysIsAlwaysValidUtf8) {
  std::vector<RenderedValue> chars;
  for (unsigned char c : std::string("a\xe9"
                                     "b\xc3\xa9"
                                     "\xed\xa0\x80"
                                     "\xf0\x9f\x98\x80"
                                     "\x80z"))
    chars.push_back(RenderedValue::make_char(c));
  RenderedValue arr = RenderedValue::make_array(chars.size(), std::move(chars));
  EXPECT_EQ(arr.display(DisplayOptions{true, true}),
            "\"a\\xe9b\xc3\xa9\\xed\\xa0\\x80\xf0\x9f\x98\x80\\x80z\"");
}

}  // namespace

namespace {

// `map --map-id OUTER` of a map of maps names the inner map that is in the
// report (it said "not in this report" once the report was narrowed to OUTER).
TEST(CliSmallThings, InnerMapsAreNamedWhenTheOuterIsPickedById) {
  scxsnap::FailureDumpMap outer, inner;
  outer.name = "outer";
  outer.map_id = 1405;
  outer.map_type = 12;  // BPF_MAP_TYPE_ARRAY_OF_MAPS
  outer.fd_array = scxsnap::FailureDumpFdArray{1, 4, {0}, false, false, 0, {1399}};
  inner.name = "inner";
  inner.map_id = 1399;
  inner.map_type = 2;
  TempDir d;
  const std::string f = d.path() + "/mm.json";
  spit(f, to_json(fx::make_report_with_maps({outer, inner})));
  for (std::vector<std::string> args :
       {std::vector<std::string>{"map", f, "outer"}, {"map", f, "--map-id", "1405"}}) {
    CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("slot 0: map id 1399 (inner, in this report)")) << args[2];
  }
}

}  // namespace

namespace {

// A stream that is no JSON ends at its first byte instead of filling memory
// (`show /dev/urandom` read forever: 1.4 GB after 10 s).
TEST(CliSmallThings, AStreamThatIsNoJsonEndsAtOnce) {
  for (const char* dev : {"/dev/urandom", "/dev/zero"}) {
    CliResult r = run_cli({"show", dev});
    EXPECT_EQ(r.exit_code, 2) << dev;
    EXPECT_THAT(r.err, HasSubstr("not JSON")) << dev;
    EXPECT_LT(r.max_rss_kib, kBaseBoundKiB) << dev;
  }
  CliResult ok = run_cli({"show", "-"}, slurp(kExamples + "/dump.json"));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace

namespace {

// diff --map: only the maps named (the others' changes are not listed, nor
// the host counters); a name neither input has is exit 2 with the nearest.
TEST(CliSmallThings, DiffOfNamedMapsOnly) {
  TempDir d;
  auto report = [](std::uint64_t x, std::uint64_t y) {
    return to_json(
        fx::make_report_with_maps({fx::make_global_map("sched.bss", {{"nr_x", fx::uint_v(x)}}),
                                   fx::make_global_map("other.bss", {{"nr_y", fx::uint_v(y)}})}));
  };
  const std::string a = d.path() + "/a.json", b = d.path() + "/b.json";
  spit(a, report(1, 10));
  spit(b, report(2, 20));
  CliResult all = run_cli({"diff", a, b});
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_THAT(all.out, HasSubstr("nr_y"));
  CliResult one = run_cli({"diff", a, b, "--map", "sched.bss"});
  EXPECT_EQ(one.exit_code, 1) << one.err;
  EXPECT_THAT(one.out, HasSubstr("sched.bss nr_x: 1 → 2"));
  EXPECT_THAT(one.out, Not(HasSubstr("nr_y")));
  EXPECT_THAT(one.out, HasSubstr("1 change(s)"));
  CliResult none = run_cli({"diff", a, a, "--map", "other.bss"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  CliResult bad = run_cli({"diff", a, b, "--map", "sched.bs"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--map sched.bs: no map of that name in either input (nearest: "
                                 "sched.bss"));
}

// report --only-expected plots what the assertions name and nothing else;
// without an assertion it is a usage error.
TEST(CliSmallThings, ReportOnlyExpectedPlotsWhatIsNamed) {
  TempDir d;
  const std::string series = d.path() + "/s.jsonl", page = d.path() + "/p.html";
  std::string text;
  for (std::uint64_t k = 0; k < 3; ++k) {
    scxsnap::SampleRow row;
    row.tag = "periodic_00" + std::to_string(k);
    row.elapsed_ms = 100 * k;
    row.report = fx::make_report_with_maps(
        {fx::make_global_map("sched.bss", {{"nr_x", fx::uint_v(k)}, {"nr_z", fx::uint_v(7)}}),
         fx::make_global_map("other.bss", {{"nr_y", fx::uint_v(3 * k)}})});
    text += scxsnap::SampleSeries::to_jsonl_line(row) + "\n";
  }
  spit(series, text);
  CliResult r = run_cli(
      {"report", series, "-o", page, "--expect", "nondecreasing(var:nr_x)", "--only-expected"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = slurp(page);
  EXPECT_THAT(html, HasSubstr("sched.bss nr_x"));
  EXPECT_THAT(html, Not(HasSubstr("nr_z")));
  EXPECT_THAT(html, Not(HasSubstr("nr_y")));
  r = run_cli({"report", series, "-o", page, "--expect", "nondecreasing(var:nr_x)"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(slurp(page), HasSubstr("nr_y"));
  r = run_cli({"report", series, "-o", page, "--only-expected"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--only-expected needs at least one --expect"));
}

}  // namespace

namespace {

// var --live with several objects and none active: every object is counted
// (two whose names the kernel cut alike are two, told apart by BTF id) and
// the flag that picks one is named; no C++ advice on the command line.
TEST(CliSmallThings, NoActiveSchedulerCountsEveryObject) {
  TempDir d;
  auto rep =
      fx::make_report_with_maps({fx::make_global_map("scx_a.bss", {{"x", fx::uint_v(1)}}),
                                 fx::make_global_map("scx_rust.bss", {{"x", fx::uint_v(2)}}),
                                 fx::make_global_map("scx_rust.bss", {{"x", fx::uint_v(3)}})});
  rep.maps[0].btf_id = 1;
  rep.maps[1].btf_id = 2;
  rep.maps[2].btf_id = 3;
  const std::string f = d.path() + "/three.json";
  spit(f, to_json(rep));
  CliResult r = run_cli({"var", f, "x", "--live"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("it holds 3 BPF objects with global sections (scx_a (btf:1), "
                               "scx_rust (btf:2), scx_rust (btf:3))"));
  EXPECT_THAT(r.err, HasSubstr("--obj btf:ID"));
  EXPECT_THAT(r.err, Not(HasSubstr("Snapshot::")));
  // --obj picks one.
  CliResult one = run_cli({"var", f, "x", "--obj", "btf:3"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "3\n");
}

}  // namespace

namespace {

// var of a global the render budget cut in a JSON report says so (a native
// snapshot renders it alone and marks it truncated itself); a global of the
// same section that came through whole gets no note.
TEST(CliSmallThings, AGlobalOfACutSectionIsSaidToBeCut) {
  TempDir d;
  std::vector<RenderedValue> one;
  one.push_back(fx::uint_v(5));
  std::vector<scxsnap::RenderedMember> members;
  members.emplace_back("layers", RenderedValue::make_array(16, std::move(one)));
  members.emplace_back("tail", fx::uint_v(9));
  auto m = fx::make_global_map("big.bss", {});
  m.value = RenderedValue::make_truncated(100000, 4096,
                                          RenderedValue::make_struct(".bss", std::move(members)));
  const std::string f = d.path() + "/cut.json";
  spit(f, to_json(fx::make_report_with_maps({m})));
  CliResult r = run_cli({"var", f, "layers"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[5, \u2026]\n");
  EXPECT_THAT(r.err, HasSubstr("note: big.bss was cut to the render budget (4096 of 100000 bytes "
                               "shown in full), so 'layers' is shown in part"));
  CliResult t = run_cli({"var", f, "tail"});
  EXPECT_EQ(t.out, "9\n");
  EXPECT_EQ(t.err, "");
}

}  // namespace

namespace {

// A map with no entries is an answer (exit 0): "(empty: no entries)", or
// `[]` with --json; --at on it is still out of range.
TEST(CliSmallThings, AnEmptyMapIsAnAnswer) {
  TempDir d;
  auto empty = fx::percpu_map("quiet", {});
  empty.percpu_entries.clear();
  const std::string f = d.path() + "/empty.json";
  spit(f, to_json(fx::make_report_with_maps({empty})));
  CliResult r = run_cli({"map", f, "quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "(empty: no entries)\n");
  CliResult j = run_cli({"map", f, "quiet", "--json"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.out, "[]\n");
  CliResult at = run_cli({"map", f, "quiet", "--at", "0"});
  EXPECT_EQ(at.exit_code, 1);
  EXPECT_THAT(at.err, HasSubstr("index 0 out of range (length 0)"));
}

}  // namespace
