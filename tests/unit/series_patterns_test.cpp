// Temporal patterns (reference Part A.6): each rule and message text, with
// vacuous cases, gaps, NaN, caller errors and the converges_to witness.
#include "scxsnap/scxsnap.hpp"

#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

using F = SeriesField<double>;
using U = SeriesField<std::uint64_t>;

SnapshotError gap() {
  return errors::ProjectionFailed{"gap"};
}

template <class T>
SeriesField<T> series(std::string label, std::vector<std::expected<T, SnapshotError>> vals,
                      std::vector<std::optional<std::uint64_t>> ms = {}) {
  std::vector<std::string> tags;
  for (std::size_t i = 0; i < vals.size(); ++i) tags.push_back("s" + std::to_string(i));
  if (ms.empty())
    for (std::size_t i = 0; i < vals.size(); ++i) ms.push_back(i * 100);
  std::vector<std::optional<Phase>> ph(vals.size());
  return SeriesField<T>(std::move(label), tags, ms, std::move(vals), ph);
}

std::expected<double, SnapshotError> err() {
  return std::unexpected(gap());
}
std::expected<std::uint64_t, SnapshotError> uerr() {
  return std::unexpected(gap());
}

TEST(Nondecreasing, PassesAndLogsPass) {
  Verdict v;
  v.set_log_passes(true);
  series<std::uint64_t>("n", {1, 1, 2, 5}).nondecreasing(v);
  EXPECT_TRUE(v.passed());
  EXPECT_THAT(v.passes(), ElementsAre("n (nondecreasing): all 4 samples passed"));
}

TEST(Nondecreasing, VacuousBelowTwoSamples) {
  Verdict v;
  series<std::uint64_t>("n", {7}).nondecreasing(v);
  EXPECT_TRUE(v.passed());
  EXPECT_THAT(v.notes(),
              ElementsAre("n (nondecreasing): only 1 samples — pattern vacuously holds; ensure "
                          "num_snapshots >= 2 for meaningful coverage"));
}

TEST(Nondecreasing, RegressionMessage) {
  Verdict v;
  series<std::uint64_t>("nr_dispatched", {5, 9, 8}).nondecreasing(v);
  EXPECT_THAT(
      v.failures(),
      ElementsAre("nr_dispatched (nondecreasing): regression at sample s2 (+200ms): value 8 "
                  "after prior value 9 at sample s1 (+100ms)"));
}

TEST(StrictlyIncreasing, EqualValuesFail) {
  Verdict v;
  series<std::uint64_t>("n", {1, 1}).strictly_increasing(v);
  EXPECT_THAT(v.failures()[0], HasSubstr("n (strictly_increasing): regression at sample s1"));
}

TEST(Nondecreasing, GapsAreNotBridgedAndNoted) {
  Verdict v;
  // 9 then error then 1: (9,1) is never compared.
  series<std::uint64_t>("n", {std::uint64_t{9}, uerr(), std::uint64_t{1}, uerr()}).nondecreasing(v);
  EXPECT_TRUE(v.passed());
  ASSERT_EQ(v.notes().size(), 1u);
  EXPECT_EQ(v.notes()[0],
            "n (nondecreasing): skipped 2 sample(s) with projection errors: s1(+100ms): projection "
            "failed: gap, "
            "s3(+300ms): projection failed: gap");
}

TEST(Nondecreasing, NanIsARegressionAndUnmeasuredTimesPrintQuestionMarks) {
  Verdict v;
  series<double>("f", {1.0, std::nan("")}, {0, std::nullopt}).nondecreasing(v);
  EXPECT_THAT(
      v.failures(),
      ElementsAre("f (nondecreasing): regression at sample s1 (+?ms): value NaN after prior value "
                  "1 at sample s0 (+0ms)"));
}

TEST(RateWithin, CallerErrorAndVacuous) {
  Verdict v;
  series<double>("r", {1, 2}).rate_within(v, 5, 1);
  EXPECT_THAT(v.failures(), ElementsAre("r (rate_within): caller error: lo=5 > hi=1"));
  Verdict w;
  series<double>("r", {1}).rate_within(w, 0, 1);
  EXPECT_THAT(w.notes(), ElementsAre("r (rate_within): only 1 samples — pattern vacuously holds"));
}

TEST(RateWithin, OutOfBandRateMessage) {
  Verdict v;
  series<double>("r", {0, 100, 150}).rate_within(v, 0, 0.6);  // rates 1.0 and 0.5 per ms
  EXPECT_THAT(
      v.failures(),
      ElementsAre("r (rate_within [0, 0.6]): rate 1.0000/ms between samples s0 (+0ms, value 0) "
                  "and s1 (+100ms, value 100)"));
}

TEST(RateWithin, ZeroIntervalIsInconclusive) {
  Verdict v;
  series<double>("r", {0, 5}, {100, 100}).rate_within(v, 0, 1);
  EXPECT_TRUE(v.passed());
  EXPECT_TRUE(v.inconclusive());
  EXPECT_THAT(
      v.inconclusives(),
      ElementsAre("r (rate_within): zero-time delta between sample s0 (+100ms) and s1 "
                  "(+100ms) — denominator is INSTRUMENT-derived; rate is neither pass nor fail"));
}

TEST(RateWithin, GapsForErrorsAndUnmeasuredTimes) {
  Verdict v;
  series<double>("r", {1.0, err(), 2.0, 3.0}, {0, 10, std::nullopt, 30}).rate_within(v, 0, 10);
  EXPECT_TRUE(v.passed());
  ASSERT_EQ(v.notes().size(), 1u);
  EXPECT_EQ(v.notes()[0],
            "r (rate_within): 3 consecutive-pair gap(s) skipped due to a projection error or an "
            "unmeasured elapsed "
            "timestamp on at least one endpoint: s1(+10ms): projection failed: gap, s1(+10ms): "
            "projection failed: "
            "gap, s2(+?ms)..s3(+30ms): elapsed not measured");
}

TEST(RateWithin, NonFiniteRateFails) {
  Verdict v;
  series<double>("r", {1.0, std::nan("")}).rate_within(v, 0, 10);
  EXPECT_THAT(
      v.failures()[0],
      HasSubstr("non-finite rate between samples s0 (+0ms, value 1) and s1 (+100ms, value NaN)"));
}

TEST(RateWithin, NegativeRatesAreCheckedToo) {
  Verdict v;
  series<double>("r", {100, 0}).rate_within(v, 0, 10);
  EXPECT_THAT(v.failures()[0], HasSubstr("rate -1.0000/ms"));
}

TEST(SteadyWithin, BandAroundTheMean) {
  Verdict v;
  // warmup drops the first sample; mean of {10, 10, 13} = 11, ±10% = [9.9, 12.1]
  series<double>("s", {100, 10, 10, 13}).steady_within(v, 100, 0.1);
  ASSERT_EQ(v.failures().size(), 1u);
  EXPECT_EQ(v.failures()[0],
            "s (steady_within mean 11.0000 ±10.0%): sample s3 (+300ms): value 13 outside [9.9000, "
            "12.1000]");
}

TEST(SteadyWithin, CallerErrorVacuousAndSkips) {
  Verdict v;
  series<double>("s", {1}).steady_within(v, 0, -0.5);
  EXPECT_THAT(v.failures(),
              ElementsAre("s (steady_within): caller error: tolerance -0.5 negative"));
  Verdict w;
  series<double>("s", {1, 2}).steady_within(w, 1000, 0.1);
  EXPECT_THAT(
      w.notes(),
      ElementsAre("s (steady_within): no samples beyond warmup_ms=1000 — pattern vacuously holds"));
  Verdict x;
  series<double>("s", {1.0, err(), std::nan(""), 1.0}, {std::nullopt, 200, 300, 400})
      .steady_within(x, 100, 0.1);
  EXPECT_TRUE(x.passed());
  ASSERT_EQ(x.notes().size(), 1u);
  EXPECT_EQ(x.notes()[0],
            "s (steady_within): skipped 3 sample(s) with a projection error or an unmeasured "
            "elapsed timestamp: "
            "s0(+?ms): elapsed not measured (cannot place vs warmup), s1(+200ms): projection "
            "failed: gap, "
            "s2(+300ms): non-finite value NaN");
  // Only errors after warmup: the skip note, but no vacuous note.
  Verdict y;
  series<double>("s", {err()}).steady_within(y, 0, 0.1);
  EXPECT_EQ(y.notes().size(), 1u);
}

TEST(ConvergesTo, WitnessOfThreeConsecutiveInBand) {
  Verdict v;
  v.set_log_passes(true);
  series<double>("c", {5, 1.0, 1.05, 0.95, 7}).converges_to(v, 1.0, 0.1, 1000);
  EXPECT_TRUE(v.passed());
  EXPECT_THAT(
      v.passes(),
      ElementsAre("c (converges_to 1 ±0.1, deadline_ms=1000): 3-consecutive-in-band witness "
                  "reached at s3 (+300ms)"));
}

TEST(ConvergesTo, InterruptedRunsAndDeadline) {
  Verdict v;
  series<double>("c", {1.0, 1.0, err(), 1.0, 1.0, 9.0, 1.0, 1.0, 1.0},
                 {0, 10, 20, 30, 40, 50, 60, 70, 2000})
      .converges_to(v, 1.0, 0.1, 1000);
  ASSERT_EQ(v.failures().size(), 1u);
  EXPECT_EQ(v.failures()[0],
            "c (converges_to 1 ±0.1, deadline_ms=1000): no 3-consecutive-in-band witness before "
            "deadline (9 samples "
            "evaluated); in-progress runs interrupted by errored sample(s): s2(+20ms): projection "
            "failed: gap");
}

TEST(ConvergesTo, TooFewSamplesIsANoteAndCallerError) {
  Verdict v;
  series<double>("c", {1.0, err(), 1.0}).converges_to(v, 1.0, 0.1, 1000);
  EXPECT_TRUE(v.passed());
  EXPECT_THAT(
      v.notes(),
      ElementsAre("c (converges_to 1 ±0.1, deadline_ms=1000): insufficient samples for "
                  "converges_to (need ≥3, have 2); errored sample(s): s1(+100ms): projection "
                  "failed: gap"));
  Verdict w;
  series<double>("c", {1.0}).converges_to(w, 1.0, -1, 10);
  EXPECT_THAT(w.failures(), ElementsAre("c (converges_to): caller error: tolerance -1 negative"));
}

TEST(AlwaysTrue, ErrorsAndFalseFailEmptyPasses) {
  Verdict v;
  series<bool>("ok", {true, std::unexpected(gap()), false}).always_true(v);
  EXPECT_THAT(
      v.failures(),
      ElementsAre("ok (always_true): sample s1 (+100ms): projection error: projection failed: gap",
                  "ok (always_true): sample s2 (+200ms): value false"));
  Verdict w;
  series<bool>("ok", {}).always_true(w);
  EXPECT_TRUE(w.passed());
  EXPECT_TRUE(w.notes().empty());
}

TEST(RatioWithin, BandsZeroDenominatorGapsAndCallerErrors) {
  auto lhs = series<double>("cross", {1, 5, err(), 1, 1});
  auto rhs = series<double>("total", {10, 10, 10, 0, std::nan("")});
  Verdict v;
  lhs.ratio_within(v, rhs, 0, 0.2);
  EXPECT_THAT(
      v.failures(),
      ElementsAre("cross (ratio_within total [0, 0.2]): ratio 0.5000 at sample s1 (+100ms) — "
                  "lhs=5 rhs=10",
                  "cross (ratio_within total [0, 0.2]): non-finite ratio at sample s4 (+400ms) — "
                  "lhs=1 rhs=NaN"));
  EXPECT_THAT(v.inconclusives(),
              ElementsAre("cross (ratio_within): rhs == 0 at sample s3 (+300ms) — denominator is "
                          "INSTRUMENT-derived; ratio is neither pass nor fail"));
  EXPECT_THAT(
      v.notes(),
      ElementsAre("cross (ratio_within): 1 pair(s) skipped due to projection errors on lhs or rhs: "
                  "lhs s2(+200ms): projection failed: gap"));
  Verdict w;
  lhs.ratio_within(w, series<double>("short", {1}), 0, 1);
  EXPECT_THAT(
      w.failures(),
      ElementsAre("cross (ratio_within short): caller error: length mismatch (this 5, other 1)"));
  Verdict x;
  lhs.ratio_within(x, rhs, 2, 1);
  EXPECT_THAT(x.failures(), ElementsAre("cross (ratio_within): caller error: lo=2 > hi=1"));
}

TEST(Each, BoundsErrorsAndNan) {
  Verdict v;
  series<double>("q", {1, 70, err(), std::nan("")}).each(v).at_most(64);
  EXPECT_THAT(
      v.failures(),
      ElementsAre(
          "q (each.at_most 64): sample s1 (+100ms): value 70",
          "q (each.at_most 64): sample s2 (+200ms): projection error: projection failed: gap",
          "q (each.at_most 64): sample s3 (+300ms): value NaN is incomparable (NaN)"));
  Verdict w;
  series<std::uint64_t>("q", {5, 1}).each(w).at_least(2);
  EXPECT_THAT(w.failures(), ElementsAre("q (each.at_least 2): sample s1 (+100ms): value 1"));
  Verdict x;
  series<std::uint64_t>("q", {5}).each(x).between(9, 1);
  EXPECT_THAT(x.failures(), ElementsAre("q (each.between): caller error: lo=9 > hi=1"));
  Verdict y;
  series<std::uint64_t>("q", {5, 12}).each(y).between(1, 10);
  EXPECT_THAT(y.failures(), ElementsAre("q (each.between [1, 10]): sample s1 (+100ms): value 12"));
}

TEST(PhaseHelpers, ValueAtPhaseDeltasAndSums) {
  std::vector<std::expected<std::uint64_t, SnapshotError>> vals = {
      std::uint64_t{10}, std::uint64_t{15}, std::uint64_t{100}, std::uint64_t{130}, uerr(),
      std::uint64_t{7}};
  std::vector<std::optional<Phase>> ph = {Phase::baseline(), Phase::baseline(), Phase::step(0),
                                          Phase::step(0),    Phase::step(0),    std::nullopt};
  SeriesField<std::uint64_t> f("c", {"a", "b", "c", "d", "e", "f"}, {0, 1, 2, 3, 4, 5}, vals, ph);
  EXPECT_EQ(f.value_at_phase(Phase::step(0)), 130u);
  EXPECT_EQ(f.value_at_phase(Phase::step(5)), std::nullopt);
  auto d = f.counter_delta_per_phase();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].second, 5u);
  EXPECT_EQ(d[1].second, 30u);
  auto s = f.sum_by_phase();
  EXPECT_EQ(s[1].second, 230u);
  EXPECT_EQ(f.by_phase().second.size(), 1u);
  EXPECT_EQ(Phase::step(2).to_string(), "Step[2]");
  EXPECT_EQ(Phase::baseline().to_string(), "BASELINE");
}

TEST(CrossPhase, RatioAtMost) {
  std::vector<std::expected<double, SnapshotError>> vals = {10.0, 12.0, 30.0, 0.0};
  std::vector<std::optional<Phase>> ph = {Phase::baseline(), Phase::step(0), Phase::step(1),
                                          Phase::step(2)};
  SeriesField<double> f("lat", {"a", "b", "c", "d"}, {0, 1, 2, 3}, vals, ph);
  Verdict ok;
  f.ratio_across_phases(ok, Phase::baseline(), Phase::step(0)).at_most(1.5);
  EXPECT_TRUE(ok.passed());
  EXPECT_THAT(
      ok.notes(),
      ElementsAre("[lat] ratio_across_phases(BASELINE→Step[0]) = 12/10 = 1.2000 (ceiling 1.5000)"));
  Verdict bad;
  f.ratio_across_phases(bad, Phase::baseline(), Phase::step(1)).at_most(2);
  EXPECT_THAT(
      bad.failures(),
      ElementsAre(
          "lat: ratio_across_phases(BASELINE→Step[1]) = 30/10 = 3.0000 exceeds ceiling 2.0000"));
  Verdict zero;
  f.ratio_across_phases(zero, Phase::step(2), Phase::step(1)).at_most(2);
  EXPECT_THAT(zero.inconclusives(),
              ElementsAre("lat: ratio_across_phases(Step[2]→Step[1]) inconclusive: earlier value "
                          "is 0 (no baseline to ratio against)"));
  Verdict missing;
  f.ratio_across_phases(missing, Phase::step(0), Phase::step(7)).at_most(2);
  EXPECT_THAT(missing.inconclusives(),
              ElementsAre("lat: ratio_across_phases(Step[0]→Step[7]) inconclusive: needs both "
                          "phases — earlier=12, later=<no-samples>"));
}

}  // namespace
