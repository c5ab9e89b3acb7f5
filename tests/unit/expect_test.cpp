// The assertion language as a library (scxsnap/expect.hpp): values compare by
// their kind (a signed global going negative, floats), `var:` in a series of
// several objects (one definer, OBJ/NAME, several definers), usage errors
// instead of verdicts for names no sample has and for malformed bounds, and
// one outcome model printed as text, JSON and JUnit.
#include "scxsnap/expect.hpp"

#include "snapshot_fixtures.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

SampleRow expect_row(std::size_t k, std::vector<FailureDumpMap> maps) {
  SampleRow r;
  r.tag = fmt::format("periodic_{:03}", k);
  r.elapsed_ms = k * 100;
  r.report = make_report_with_maps(std::move(maps));
  return r;
}

// One object "sched" whose .bss holds `name` with each of `values`.
SampleSeries series_of(const std::string& name, const std::vector<RenderedValue>& values) {
  std::vector<SampleRow> rows;
  for (std::size_t k = 0; k < values.size(); ++k)
    rows.push_back(expect_row(k, {make_global_map("sched.bss", {{name, values[k]}})}));
  return SampleSeries(std::move(rows));
}

ExpectationOutcome eval(const SampleSeries& s, const std::string& text) {
  auto e = parse_expectation(text);
  EXPECT_TRUE(e.has_value()) << text << ": " << e.error().message();
  if (!e) return {};
  auto o = evaluate_expectation(*e, s);
  EXPECT_TRUE(o.has_value()) << text << ": " << o.error().message();
  return o ? *o : ExpectationOutcome{};
}

Error eval_error(const SampleSeries& s, const std::string& text) {
  auto e = parse_expectation(text);
  if (!e) return e.error();
  auto o = evaluate_expectation(*e, s);
  EXPECT_FALSE(o.has_value()) << text << " evaluated";
  return o ? Error(ErrorCode::Internal, "evaluated") : o.error();
}

// The case: a signed global going 10, -5, -20, 30 is not
// nondecreasing, and every sample is looked at (none skipped as "negative").
TEST(ExpectKinds, SignedValuesCompareAsSigned) {
  SampleSeries s = series_of("balance", {int_v(10), int_v(-5), int_v(-20), int_v(30)});
  ExpectationOutcome o = eval(s, "nondecreasing(var:balance)");
  EXPECT_EQ(o.kind, VerdictKind::Fail);
  EXPECT_EQ(o.value_class, ValueClass::Signed);
  EXPECT_EQ(o.evaluated, 4u);
  ASSERT_EQ(o.failures.size(), 2u);
  EXPECT_THAT(o.failures[0], HasSubstr("value -5 after prior value 10"));
  EXPECT_THAT(o.failures[1], HasSubstr("value -20 after prior value -5"));
  EXPECT_TRUE(o.hints.empty()) << o.hints.front();

  EXPECT_EQ(eval(s, "each(var:balance).at_least(-20)").kind, VerdictKind::Pass);
  ExpectationOutcome low = eval(s, "each(var:balance).at_least(-19)");
  EXPECT_EQ(low.kind, VerdictKind::Fail);
  EXPECT_THAT(low.failures, ElementsAre(HasSubstr("value -20")));
  EXPECT_EQ(eval(s, "each(var:balance).between(-20, 30)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "each(var:balance).at_most(29)").kind, VerdictKind::Fail);
  EXPECT_EQ(eval(s, "strictly_increasing(var:balance)").kind, VerdictKind::Fail);
  // Rates of a signed value: -15/100ms, -15/100ms, +50/100ms.
  EXPECT_EQ(eval(s, "rate_within(var:balance, -0.15, 0.5)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "rate_within(var:balance, -0.1, 0.5)").kind, VerdictKind::Fail);

  // All non-negative samples of a signed type compare as unsigned: the same answers.
  SampleSeries up = series_of("balance", {int_v(1), int_v(2), int_v(3)});
  EXPECT_EQ(eval(up, "nondecreasing(var:balance)").kind, VerdictKind::Pass);
  // Signed 64-bit extremes stay exact.
  SampleSeries ext = series_of("v", {int_v(INT64_MIN, 64), int_v(INT64_MIN + 1, 64)});
  EXPECT_EQ(eval(ext, "strictly_increasing(var:v)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(ext, "each(var:v).at_least(-9223372036854775807)").kind, VerdictKind::Fail);
}

TEST(ExpectKinds, FloatsCompareAsFloats) {
  SampleSeries s = series_of("load", {float_v(1.5), float_v(2.5), float_v(2.25)});
  ExpectationOutcome o = eval(s, "nondecreasing(var:load)");
  EXPECT_EQ(o.kind, VerdictKind::Fail);
  EXPECT_EQ(o.value_class, ValueClass::Float);
  EXPECT_THAT(o.failures, ElementsAre(HasSubstr("value 2.25 after prior value 2.5")));
  EXPECT_EQ(eval(s, "each(var:load).at_most(2.5)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "each(var:load).between(1.5, 2.4)").kind, VerdictKind::Fail);
  EXPECT_EQ(eval(s, "each(var:load).at_least(2)").kind, VerdictKind::Fail);
  // A float among integers makes the series float.
  SampleSeries mixed = series_of("m", {uint_v(1), float_v(0.5)});
  ExpectationOutcome m = eval(mixed, "nondecreasing(var:m)");
  EXPECT_EQ(m.value_class, ValueClass::Float);
  EXPECT_EQ(m.kind, VerdictKind::Fail);
  // Negatives beside values above 2^63-1: no exact common class, said.
  SampleSeries wide = series_of("w", {int_v(-1, 64), uint_v(UINT64_MAX)});
  ExpectationOutcome w = eval(wide, "nondecreasing(var:w)");
  EXPECT_EQ(w.value_class, ValueClass::Float);
  EXPECT_EQ(w.kind, VerdictKind::Pass);
  EXPECT_THAT(w.hints, ElementsAre(HasSubstr("compared as f64")));
}

// Unsigned 64-bit values stay exact (through doubles these two are equal).
TEST(ExpectKinds, UnsignedValuesAreExact) {
  SampleSeries s = series_of("n", {uint_v(18446744073709551614u), uint_v(18446744073709551615u)});
  ExpectationOutcome o = eval(s, "strictly_increasing(var:n)");
  EXPECT_EQ(o.value_class, ValueClass::Unsigned);
  EXPECT_EQ(o.kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "each(var:n).at_most(18446744073709551614)").kind, VerdictKind::Fail);
  // A negative bound over unsigned values compares as numbers (and holds).
  EXPECT_EQ(eval(s, "each(var:n).at_least(-1)").kind, VerdictKind::Pass);
}

// Maps and reducers read by kind too.
TEST(ExpectKinds, MapFieldsAndReducersBySign) {
  std::vector<SampleRow> rows;
  const std::vector<std::int64_t> slots[] = {{-3, 1}, {-7, 1}};
  for (std::size_t k = 0; k < 2; ++k)
    rows.push_back(expect_row(k, {percpu_map("pcpu", {int_v(slots[k][0]), int_v(slots[k][1])}),
                                  make_global_map("sched.bss", {{"x", uint_v(1)}})}));
  SampleSeries s(std::move(rows));
  ExpectationOutcome sum = eval(s, "nondecreasing(map:pcpu.cpu_sum(.))");
  EXPECT_EQ(sum.value_class, ValueClass::Signed);
  EXPECT_EQ(sum.kind, VerdictKind::Fail);
  EXPECT_THAT(sum.failures, ElementsAre(HasSubstr("value -6 after prior value -2")));
  EXPECT_EQ(eval(s, "each(map:pcpu.cpu_min(.)).at_least(-7)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "each(map:pcpu@0).at_most(-3)").kind, VerdictKind::Pass);
}

// Two objects, no active scheduler: a name one object defines resolves (and
// says where it came from, once); OBJ/NAME picks; a name both define is a
// usage error listing var:OBJ/NAME for each.
SampleSeries two_objects(std::size_t n) {
  std::vector<SampleRow> rows;
  for (std::size_t k = 0; k < n; ++k)
    rows.push_back(expect_row(
        k, {make_global_map("scx_a.bss", {{"only_a", uint_v(k)}, {"shared", uint_v(10 - k)}}),
            make_global_map("scx_b.bss", {{"only_b", uint_v(5)}, {"shared", uint_v(k)}})}));
  return SampleSeries(std::move(rows));
}

TEST(ExpectObjects, VarResolvesWithSeveralObjects) {
  SampleSeries s = two_objects(4);
  ExpectationOutcome a = eval(s, "strictly_increasing(var:only_a)");
  EXPECT_EQ(a.kind, VerdictKind::Pass);
  EXPECT_EQ(a.evaluated, 4u);
  ASSERT_EQ(a.hints.size(), 1u);  // once, not per sample
  EXPECT_THAT(a.hints[0], HasSubstr("read from object scx_a (var:scx_a/only_a)"));
  // The same situation gives the same verdict kind for every pattern.
  EXPECT_EQ(eval(s, "each(var:only_b).at_least(5)").kind, VerdictKind::Pass);

  EXPECT_EQ(eval(s, "strictly_increasing(var:scx_b/shared)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "strictly_increasing(var:scx_a/shared)").kind, VerdictKind::Fail);
  Error both = eval_error(s, "nondecreasing(var:shared)");
  EXPECT_EQ(both.code(), ErrorCode::InvalidArgument);
  EXPECT_THAT(both.message(), HasSubstr("'shared' is defined by 2 objects"));
  EXPECT_THAT(both.message(), HasSubstr("var:scx_a/shared, var:scx_b/shared"));
  EXPECT_THAT(both.message(), Not(HasSubstr("Snapshot::")));  // no C++ advice on a command line
  // each() in the same situation: the same error, not a FAIL.
  EXPECT_EQ(eval_error(s, "each(var:shared).at_least(0)").message(), [&] {
    std::string m = both.message();
    return m.replace(m.find("nondecreasing(var:shared)"), 25, "each(var:shared).at_least(0)");
  }());
  Error no_obj = eval_error(s, "nondecreasing(var:scx_c/shared)");
  EXPECT_THAT(no_obj.message(), HasSubstr("no object 'scx_c'"));
  Error no_var = eval_error(s, "nondecreasing(var:scx_a/only_b)");
  EXPECT_THAT(no_var.message(), HasSubstr("nearest names: only_b"));
}

// Objects the kernel's 15-character cut names alike are told apart by btf:ID.
TEST(ExpectObjects, CutNamesNeedTheBtfKey) {
  std::vector<SampleRow> rows;
  for (std::size_t k = 0; k < 2; ++k) {
    FailureDumpMap a = make_global_map("scx_rust.bss", {{"v", uint_v(k)}});
    FailureDumpMap b = make_global_map("scx_rust.bss", {{"v", uint_v(9 - k)}});
    a.btf_id = 11;
    b.btf_id = 12;
    rows.push_back(expect_row(k, {a, b}));
  }
  SampleSeries s(std::move(rows));
  Error amb = eval_error(s, "nondecreasing(var:scx_rusty/v)");
  EXPECT_THAT(amb.message(), HasSubstr("names 2 objects"));
  EXPECT_THAT(amb.message(), HasSubstr("btf:11"));
  EXPECT_THAT(amb.message(), HasSubstr("btf:12"));
  EXPECT_EQ(eval(s, "nondecreasing(var:btf:11/v)").kind, VerdictKind::Pass);
  EXPECT_EQ(eval(s, "nondecreasing(var:btf:12/v)").kind, VerdictKind::Fail);
  Error plain = eval_error(s, "nondecreasing(var:v)");
  EXPECT_THAT(plain.message(), HasSubstr("var:btf:11/v, var:btf:12/v"));
}

TEST(ExpectUsage, NamesInNoSampleAreErrorsWithNearestNames) {
  SampleSeries s = series_of("nr_dispatched", {uint_v(1), uint_v(2)});
  for (const char* text : {"nondecreasing(var:nr_dispatchd)", "each(var:nr_dispatchd).at_least(0)",
                           "rate_within(var:nr_dispatchd, 0, 1)"}) {
    Error e = eval_error(s, text);
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << text;
    EXPECT_THAT(e.message(), HasSubstr("has no value in any of the 2 sample(s)")) << text;
    EXPECT_THAT(e.message(), HasSubstr("nearest names: nr_dispatched")) << text;
  }
  EXPECT_THAT(eval_error(s, "nondecreasing(map:nope.x)").message(), HasSubstr("sched.bss"));
  // Placeholders alone are circumstance, not usage: inconclusive.
  SampleRow ph;
  ph.tag = "periodic_000";
  ph.report = FailureDumpReport::placeholder("no scheduler");
  ExpectationOutcome o = eval(SampleSeries({ph, ph}), "nondecreasing(var:nr_dispatched)");
  EXPECT_EQ(o.kind, VerdictKind::Inconclusive);
}

TEST(ExpectUsage, MalformedBoundsAreParseErrors) {
  for (const char* text :
       {"rate_within(var:x, 5, 1)", "each(var:x).between(3, 2)", "ratio_within(var:x, var:y, 2, 1)",
        "steady_within(var:x, -1, 0.1)", "converges_to(var:x, 1, 0.1, -5)",
        "each(var:x).at_least(nan)", "nondecreasing(var:)", "nondecreasing(var:/x)",
        "nondecreasing(var:o/)", "nondecreasing(bogus:x)", "nondecreasing(cpu:x)"}) {
    auto e = parse_expectation(text);
    ASSERT_FALSE(e.has_value()) << text;
    EXPECT_EQ(e.error().code(), ErrorCode::InvalidArgument) << text;
  }
  EXPECT_THAT(parse_expectation("rate_within(var:x, 5, 1)").error().message(),
              HasSubstr("the low bound 5 is above the high bound 1"));
}

// Gaps: every pattern looks at the samples that have a value, compares
// across a gap, and says once how many it left out.
TEST(ExpectGaps, GapsAreLeftOutAndSaidOnce) {
  std::vector<SampleRow> rows;
  for (std::uint64_t v : {5u, 0u, 0u, 3u}) {
    if (v == 0) {
      SampleRow ph;
      ph.tag = fmt::format("periodic_{:03}", rows.size());
      ph.report = FailureDumpReport::placeholder("capture failed");
      rows.push_back(ph);
      continue;
    }
    rows.push_back(expect_row(rows.size(), {make_global_map("sched.bss", {{"n", uint_v(v)}})}));
  }
  SampleSeries s(std::move(rows));
  ExpectationOutcome o = eval(s, "nondecreasing(var:n)");
  EXPECT_EQ(o.kind, VerdictKind::Fail);  // 5 then 3, across the gap
  EXPECT_EQ(o.evaluated, 2u);
  ASSERT_EQ(o.hints.size(), 1u);
  EXPECT_THAT(o.hints[0], HasSubstr("2 of 4 sample(s) have no value"));
  EXPECT_THAT(o.hints[0], HasSubstr("periodic_001"));
  EXPECT_EQ(eval(s, "each(var:n).at_least(3)").kind, VerdictKind::Pass);
}

// One outcome model: text, JSON and JUnit say the same verdicts.
TEST(ExpectOutput, TextJsonAndJunitAgree) {
  SampleSeries s = series_of("balance", {int_v(10), int_v(-5), int_v(-20), int_v(30)});
  std::vector<ExpectationOutcome> out = {
      eval(s, "each(var:balance).at_least(-20)"), eval(s, "nondecreasing(var:balance)"),
      eval(SampleSeries({s.rows()[0]}), "nondecreasing(var:balance)")};
  EXPECT_EQ(out[2].kind, VerdictKind::Inconclusive);
  EXPECT_EQ(outcomes_exit_code(out), 1);
  EXPECT_EQ(outcomes_exit_code(std::span(out).subspan(2)), 4);
  EXPECT_EQ(outcomes_exit_code(std::span(out).first(1)), 0);

  std::string text = outcomes_text(out, s, 1);
  EXPECT_THAT(text, HasSubstr("FAIL: var:balance (nondecreasing): regression"));
  EXPECT_THAT(text, HasSubstr("1 more failure(s) not shown (--max-failures 2 shows them)"));
  EXPECT_THAT(text, HasSubstr("PASS         each(var:balance).at_least(-20): 4 of 4 sample(s) "
                              "evaluated, compared as i64"));
  EXPECT_THAT(text,
              HasSubstr("FAIL         nondecreasing(var:balance): 4 of 4 sample(s) evaluated, "
                        "compared as i64, 2 failure(s)"));
  EXPECT_THAT(text, HasSubstr("1 passed, 1 failed, 1 inconclusive"));

  std::string json = outcomes_json(out, s, "s.jsonl");
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(json);
  EXPECT_EQ(std::string_view(doc["verdict"]), "FAIL");
  EXPECT_EQ(std::uint64_t(doc["failed"]), 1u);
  simdjson::dom::array a = doc["assertions"];
  std::vector<std::string> verdicts;
  for (auto x : a) verdicts.emplace_back(std::string_view(x["verdict"]));
  EXPECT_THAT(verdicts, ElementsAre("PASS", "FAIL", "INCONCLUSIVE"));
  EXPECT_EQ(std::string_view(a.at(1)["compared_as"]), "i64");
  EXPECT_EQ(simdjson::dom::array(a.at(1)["failures"]).size(), 2u);

  std::string xml = outcomes_junit(out, s, "s.jsonl");
  EXPECT_THAT(xml, HasSubstr("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"scxsnap.check\" "
                             "name=\"each(var:balance).at_least(-20)\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"2 failing sample(s) from periodic_001 (+100ms) "
                             "to periodic_002 (+200ms); worst periodic_001 (+100ms): 10 -&gt; -5 "
                             "(a drop of 15)\""));
  EXPECT_THAT(text, HasSubstr("FAIL: nondecreasing(var:balance): 2 failing sample(s) from "
                              "periodic_001 (+100ms) to periodic_002 (+200ms)"));
  simdjson::dom::element failing = a.at(1)["failing"];
  EXPECT_EQ(std::uint64_t(failing["count"]), 2u);
  EXPECT_EQ(std::string_view(failing["worst"]["tag"]), "periodic_001");
  EXPECT_EQ(std::uint64_t(failing["last"]["elapsed_ms"]), 200u);
  EXPECT_EQ(std::string_view(failing["worst_by"]), "a drop of 15");
  EXPECT_THAT(xml,
              HasSubstr("<skipped message=\"INCONCLUSIVE: nondecreasing(var:balance): 1 of 1"));
}

}  // namespace

namespace {

// Failures are summarised: per assertion the count, the first and last
// failing sample (the span) and the worst one, for every pattern that fails
// sample by sample; the count always equals the pattern's own.
TEST(ExpectOutput, FailuresAreSummarisedWithTheWorstAndTheSpan) {
  SampleSeries s = series_of("v", {int_v(3), int_v(9), int_v(2), int_v(12), int_v(-4), int_v(5)});
  struct Case {
    const char* expr;
    std::size_t count;
    const char *first, *last, *worst, *value, *by;
  } cases[] = {
      {"each(var:v).at_most(8)", 2, "periodic_001", "periodic_003", "periodic_003", "12",
       "4 above 8"},
      {"each(var:v).at_least(3)", 2, "periodic_002", "periodic_004", "periodic_004", "-4",
       "7 below 3"},
      {"each(var:v).between(0, 10)", 2, "periodic_003", "periodic_004", "periodic_004", "-4",
       "4 below 0"},
      {"nondecreasing(var:v)", 2, "periodic_002", "periodic_004", "periodic_004", "12 -> -4",
       "a drop of 16"},
      {"rate_within(var:v, -0.05, 0.05)", 5, "periodic_001", "periodic_005", "periodic_004",
       "rate -0.1600/ms", "0.11/ms below -0.05"},
  };
  for (const auto& c : cases) {
    ExpectationOutcome o = eval(s, c.expr);
    ASSERT_EQ(o.kind, VerdictKind::Fail) << c.expr;
    ASSERT_TRUE(o.failing) << c.expr;
    EXPECT_EQ(o.failing->count, c.count) << c.expr;
    EXPECT_EQ(o.failing->count, o.failures.size()) << c.expr;
    EXPECT_EQ(o.failing->first.tag, c.first) << c.expr;
    EXPECT_EQ(o.failing->last.tag, c.last) << c.expr;
    EXPECT_EQ(o.failing->worst.tag, c.worst) << c.expr;
    EXPECT_EQ(o.failing->worst.value, c.value) << c.expr;
    EXPECT_EQ(o.failing->worst_by, c.by) << c.expr;
  }
  // Exact at 64 bits: the worst of values past 2^53 is told apart.
  SampleSeries big =
      series_of("u", {uint_v(1), uint_v((1ull << 60) + 1), uint_v((1ull << 60) + 3)});
  ExpectationOutcome o = eval(big, "each(var:u).at_most(1152921504606846976)");
  ASSERT_TRUE(o.failing);
  EXPECT_EQ(o.failing->worst.tag, "periodic_002");
  EXPECT_EQ(o.failing->worst_by, "3 above 1152921504606846976");
  // A pattern that does not fail sample by sample: the count and the first.
  ExpectationOutcome st = eval(s, "steady_within(var:v, 0, 0.01)");
  ASSERT_EQ(st.kind, VerdictKind::Fail);
  EXPECT_FALSE(st.failing);
  EXPECT_THAT(failure_summary(st), HasSubstr("failure(s); first: "));
  EXPECT_EQ(failure_summary(eval(s, "each(var:v).at_most(100)")), "");
}

}  // namespace
