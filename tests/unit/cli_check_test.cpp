// `scxsnap check` is honest: an assertion that saw too few samples (none at
// all, one for an ordering, fewer than three for converges_to) is
// inconclusive (exit 4), never passed; integers in messages are exact u64;
// cpu_sum(.) is the value itself, as `map --sum .`; a report given where a
// series is expected is named as such; a series tag that is not there is
// absence (exit 1).
#include "cli_util.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;

namespace {

const std::string kData = SCXSNAP_TEST_DATA;

std::string compact(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A series of `n` copies of the sample report, nr_dispatched set per sample.
std::string series_of(const std::vector<std::string>& dispatched, bool placeholder = false) {
  std::string base =
      compact(slurp(kData + (placeholder ? "/placeholder_report.json" : "/sample_report.json")));
  const std::string from = R"("nr_dispatched","value":{"kind":"uint","bits":64,"value":907})";
  std::string out;
  for (std::size_t i = 0; i < dispatched.size(); ++i) {
    std::string r = base;
    if (auto at = r.find(from); at != std::string::npos)
      r.replace(
          at, from.size(),
          R"("nr_dispatched","value":{"kind":"uint","bits":64,"value":)" + dispatched[i] + "}");
    out += fmt::format(R"({{"tag":"periodic_{:03}","elapsed_ms":{},"report":{}}})", i, i * 100, r) +
           "\n";
  }
  return out;
}

struct CheckCli : ::testing::Test {
  TempDir d;
  std::string file(const std::string& text) {
    std::string p = d.path() + "/s" + std::to_string(++n) + ".jsonl";
    spit(p, text);
    return p;
  }
  int n = 0;
};

TEST_F(CheckCli, TooFewSamplesAreInconclusiveNeverPassed) {
  std::string one = file(series_of({"907"}));
  CliResult r = run_cli({"check", one, "--expect", "nondecreasing(var:nr_dispatched)"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("INCONCLUSIVE: nondecreasing(var:nr_dispatched): 1 of 1 sample(s) "
                               "evaluated, the pattern needs at least 2"));
  EXPECT_THAT(r.out, HasSubstr("0 passed, 0 failed, 1 inconclusive"));

  std::string two = file(series_of({"1", "2"}));
  r = run_cli({"check", two, "--expect", "converges_to(var:nr_dispatched, 2, 0.1, 1000)"});
  EXPECT_EQ(r.exit_code, 4) << r.out;
  r = run_cli({"check", two, "--expect", "nondecreasing(var:nr_dispatched)"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("1 passed, 0 failed, 0 inconclusive"));

  // Every sample a placeholder (no scheduler): nothing evaluated.
  std::string none = file(series_of({"0", "0", "0"}, true));
  r = run_cli({"check", none, "--expect", "nondecreasing(var:nr_dispatched)"});
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("0 of 3 sample(s) evaluated"));
  // A variable no sample has: not a verdict but a usage error (exit 2), so a
  // CI job that fails on exit 1 does not pass it; the nearest names given.
  r = run_cli({"check", two, "--expect", "nondecreasing(var:nr_dispatchd)"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("nearest names: nr_dispatched"));
}

// Count arguments far past 2^64 (found by the check_expr fuzz target: the
// conversion to an integer was undefined) clamp instead: the window cannot
// be filled, which fails or is inconclusive, and nothing crashes.
TEST_F(CheckCli, HugeCountArgumentsClampInsteadOfOverflowing) {
  std::string three = file(series_of({"1", "2", "3"}));
  for (const char* expr : {"converges_to(var:nr_dispatched, 2, 0.1, 1e300)",
                           "steady_within(var:nr_dispatched, 1e400, 0.5)"}) {
    CliResult r = run_cli({"check", three, "--expect", expr});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 4)
        << expr << ": exit " << r.exit_code << "\n"
        << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("1 assertion(s)")) << expr;
  }
  // A negative deadline is malformed, not a failed assertion.
  CliResult neg =
      run_cli({"check", three, "--expect", "converges_to(var:nr_dispatched, 2, 0.1, -5)"});
  EXPECT_EQ(neg.exit_code, 2) << neg.out;
  EXPECT_THAT(neg.err, HasSubstr("the deadline -5 ms is negative"));
}

TEST_F(CheckCli, IntegersAreExactAndCpuSumDotIsTheValue) {
  std::string big = file(series_of({"1290304235649801676", "1290304235649801676"}));
  CliResult r =
      run_cli({"check", big, "--expect", "each(var:nr_dispatched).at_most(1290304235649801675)"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("at_most 1290304235649801675"));
  EXPECT_THAT(r.out, HasSubstr("value 1290304235649801676"));
  r = run_cli({"check", big, "--expect", "each(var:nr_dispatched).at_most(1290304235649801676)"});
  EXPECT_EQ(r.exit_code, 0) << r.out;

  // Rates of big counters: the delta is taken in integers (through doubles
  // 1290304235649801676 and ...681 are 256 apart or equal, not 5).
  std::string near = file(series_of({"1290304235649801676", "1290304235649801681"}));
  r = run_cli({"check", near, "--expect", "rate_within(var:nr_dispatched, 0.04, 0.06)"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = run_cli({"check", near, "--expect", "rate_within(var:nr_dispatched, 0.06, 1)"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("rate 0.0500/ms"));

  std::string two = file(series_of({"1", "2"}));
  r = run_cli({"check", two, "--expect", "each(map:pcpu_stats.cpu_sum(.)).between(55, 55)"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 passed"));
}

TEST_F(CheckCli, AReportIsNotASeries) {
  CliResult r = run_cli(
      {"check", kData + "/sample_report.json", "--expect", "nondecreasing(var:nr_dispatched)"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("report"));
}

// diff of two samples of a series: a tag the series lacks is trouble (exit 2,
// as diff(1): 1 means the inputs differ) and the message gives the nearest
// tags; samples that differ exit 1, the same sample 0.
TEST_F(CheckCli, DiffOfAMissingSeriesTagIsAbsent) {
  std::string two = file(series_of({"1", "5"}));
  CliResult r = run_cli({"diff", two, "--from", "periodic_000", "--to", "periodic_01"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("has no sample tagged 'periodic_01' (2 samples; nearest tags: "
                               "periodic_001, periodic_000)"));
  r = run_cli({"diff", two, "--from", "periodic_000", "--to", "periodic_001"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("nr_dispatched: 1 → 5 (+4)"));
  r = run_cli({"diff", two, "--from", "periodic_001", "--to", "periodic_001"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "0 change(s)\n");
}

// One verdict model: check's text, --format json, --format junit and the
// HTML page of `report` agree on PASS / FAIL / INCONCLUSIVE, and an
// INCONCLUSIVE assertion is drawn as such (it was drawn green with a PASS
// badge on its plot).
TEST_F(CheckCli, EveryOutputSaysTheSameVerdict) {
  std::string one = file(series_of({"907"}));
  std::string three = file(series_of({"5", "3", "9"}));
  for (const auto& [series, word, slug, exit] :
       {std::tuple{one, "INCONCLUSIVE", "inconclusive", 4}, {three, "FAIL", "fail", 1}}) {
    const std::string expr = "nondecreasing(var:nr_dispatched)";
    CliResult text = run_cli({"check", series, "--expect", expr});
    EXPECT_EQ(text.exit_code, exit) << text.out;
    EXPECT_THAT(text.out, HasSubstr(fmt::format("{:<12} {}:", word, expr)));
    CliResult json = run_cli({"check", series, "--expect", expr, "--format", "json"});
    EXPECT_EQ(json.exit_code, exit);
    EXPECT_THAT(json.out, HasSubstr(fmt::format(R"("expr":"{}","verdict":"{}")", expr, word)));
    CliResult junit = run_cli({"check", series, "--expect", expr, "--format", "junit"});
    EXPECT_EQ(junit.exit_code, exit);
    EXPECT_THAT(junit.out, HasSubstr(std::string(exit == 1 ? "<failure " : "<skipped ")));
    const std::string page = d.path() + "/p.html";
    CliResult html = run_cli({"report", series, "-o", page, "--expect", expr});
    ASSERT_EQ(html.exit_code, 0) << html.err;
    std::string h = slurp(page);
    EXPECT_THAT(h, HasSubstr(fmt::format("data-verdict=\"{0}\"><td><span class=\"badge {1}\">{0}",
                                         word, slug)));
    EXPECT_THAT(h,
                HasSubstr(fmt::format("<span class=\"badge {}\">{} {}</span>", slug, word, expr)));
    EXPECT_EQ(h.find("badge pass"), std::string::npos) << word;
  }
}

// The issue's case through the command line: a signed global going 10, -5,
// -20, 30 is not nondecreasing (it was PASS, exit 0).
TEST_F(CheckCli, SignedGlobalGoingNegativeFails) {
  std::string base = compact(slurp(kData + "/sample_report.json"));
  const std::string from = R"("nr_dispatched","value":{"kind":"uint","bits":64,"value":907})";
  std::string text;
  int k = 0;
  for (const char* v : {"10", "-5", "-20", "30"}) {
    std::string r = base;
    r.replace(r.find(from), from.size(),
              std::string(R"("balance","value":{"kind":"int","bits":64,"value":)") + v + "}");
    text +=
        fmt::format(R"({{"tag":"periodic_{:03}","elapsed_ms":{},"report":{}}})", k, k * 100, r) +
        "\n";
    ++k;
  }
  std::string s = file(text);
  CliResult r = run_cli({"check", s, "--expect", "nondecreasing(var:balance)"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("value -5 after prior value 10"));
  EXPECT_THAT(r.out, HasSubstr("compared as i64"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("cannot read as u64")));
  r = run_cli({"check", s, "--expect", "rate_within(var:balance, 1, 0)"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("the low bound 1 is above the high bound 0"));
}

}  // namespace
