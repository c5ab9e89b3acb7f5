// SPDX-License-Identifier: Apache-2.0
// The assertion language of `scxsnap check` and `scxsnap report --expect`,
// as a library: parse an expression, evaluate it over a SampleSeries into one
// verdict model, and print outcomes as text, JSON or JUnit XML. The CLI, the
// HTML report and any C++ caller use the same functions, so they never
// disagree about a verdict.
//
//   EXPR    := PATTERN "(" PROJ ["," PROJ] {"," NUMBER} ")"
//            | "each(" PROJ ")." ("at_least(" N ")" | "at_most(" N ")" | "between(" LO "," HI ")")
//   PROJ    := var:NAME | var:OBJ/NAME | map:MAP[...] | stats:PATH | cpuN:FIELD
//
// (expectation_grammar() gives the whole grammar.) Values compare by their
// kind: a projection whose samples hold a float compares as floats, one
// holding a negative signed value as signed 64-bit integers, otherwise as
// unsigned 64-bit integers; integers stay exact.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap {

/// One parsed assertion.
struct SCXSNAP_API Expectation {
  std::string text;                    ///< as written
  std::string pattern;                 ///< "nondecreasing", ..., "each.at_least"
  std::vector<std::string> projs;      ///< projection texts
  std::vector<double> nums;            ///< numeric arguments
  std::vector<std::string> num_texts;  ///< their source text (exact integers)
};

/// Parse one expression; an error (InvalidArgument) names the column
/// (1-based) and what was expected. Bounds are checked here: lo > hi is a
/// malformed expression, not a failed assertion.
SCXSNAP_API Result<Expectation> parse_expectation(std::string_view text);
/// Parse each of `texts`; the first malformed one is the error.
SCXSNAP_API Result<std::vector<Expectation>> parse_expectations(std::span<const std::string> texts);
/// The grammar as the CLI's --help and the README print it.
SCXSNAP_API std::string_view expectation_grammar();

/// What a set of assertions reads from each sample: the global variables
/// (by name, without object or path) and the maps (every name a `map:`
/// projection could mean: its dotted prefixes, since map names hold dots).
/// A native series loads only these (NativeSelection), so `check` costs what
/// it asks for, not what the file holds. stats: and cpuN: read no map.
struct SCXSNAP_API ExpectationNeeds {
  std::vector<std::string> vars, maps;
};
SCXSNAP_API ExpectationNeeds expectation_needs(std::span<const Expectation> exprs);

/// How a projection's samples were compared.
enum class ValueClass : std::uint8_t { Unsigned, Signed, Float, Bool };
SCXSNAP_API std::string_view value_class_name(ValueClass c);  ///< "u64", "i64", "f64", "bool"

enum class VerdictKind : std::uint8_t { Pass, Fail, Inconclusive };
/// "PASS", "FAIL", "INCONCLUSIVE".
SCXSNAP_API std::string_view verdict_word(VerdictKind k);
/// "pass", "fail", "inconclusive" (CSS classes, JSON).
SCXSNAP_API std::string_view verdict_slug(VerdictKind k);

/// A sample an assertion failed at.
struct SCXSNAP_API FailingSample {
  std::string tag;
  std::optional<std::uint64_t> elapsed_ms;
  std::string value;  ///< as the pattern saw it ("4", "120 -> 80", "rate 5.2/ms")
};
/// Where an assertion failed, for patterns that fail sample by sample
/// (each.*, nondecreasing, strictly_increasing, rate_within, always_true):
/// the first and last failing samples (the span) and the worst — farthest
/// past the bound, the largest drop, the rate farthest out of its band.
struct SCXSNAP_API FailureSpan {
  std::size_t count = 0;  ///< failing samples (equals the failure messages)
  FailingSample first, last, worst;
  std::string worst_by;  ///< how far the worst one is: "1 above 3", "a drop of 40"
};

/// The outcome of one assertion over a series: the one verdict model text,
/// JSON, JUnit XML and HTML print.
struct SCXSNAP_API ExpectationOutcome {
  std::string text;  ///< the expression
  VerdictKind kind = VerdictKind::Pass;
  ValueClass value_class = ValueClass::Unsigned;
  std::size_t samples = 0;    ///< samples in the series
  std::size_t evaluated = 0;  ///< samples whose projection gave a value
  std::size_t needed = 1;     ///< samples the pattern needs to say anything
  std::vector<std::string> failures, inconclusives, notes;  ///< the pattern's messages
  /// Said once per assertion: why samples had no value, how to name an object.
  std::vector<std::string> hints;
  /// Set when the assertion failed and its pattern fails sample by sample.
  std::optional<FailureSpan> failing;
};

/// Evaluate `e` over `series`. Errors are usage errors (InvalidArgument):
/// an unknown projection, or a projection no sample can give (a variable,
/// map or path that is in no sample; a name several objects define), with
/// the nearest names or the candidates.
SCXSNAP_API Result<ExpectationOutcome> evaluate_expectation(const Expectation& e,
                                                            const SampleSeries& series);

/// One operand of an assertion ("var:nr_dispatched",
/// "map:pcpu_stats.cpu_sum(count)", "stats:...", "cpu3:user_ns") over every
/// sample: its value with the class it was read as (the narrowest that holds
/// it: unsigned, then signed, then float), or the error that sample gave (a
/// placeholder sample, a key it lacks). What `check` compares; what a plot
/// or a data frame of a series shows.
struct SCXSNAP_API ProjectedValue {
  ValueClass cls = ValueClass::Unsigned;
  std::uint64_t u = 0;  ///< Unsigned
  std::int64_t i = 0;   ///< Signed
  double f = 0;         ///< Float
  bool b = false;       ///< Bool
};
using ProjectedAt = std::expected<ProjectedValue, SnapshotError>;
/// Errors: a projection this grammar does not know (InvalidArgument).
SCXSNAP_API Result<std::vector<ProjectedAt>> project_series(const SampleSeries& series,
                                                            std::string_view projection);

/// Counts of a run of assertions.
struct SCXSNAP_API OutcomeCounts {
  std::size_t passed = 0, failed = 0, inconclusive = 0;
};
SCXSNAP_API OutcomeCounts count_outcomes(std::span<const ExpectationOutcome> outcomes);
/// The process exit code of a run: 1 a failure, 4 only inconclusive, else 0.
SCXSNAP_API int outcomes_exit_code(std::span<const ExpectationOutcome> outcomes);

/// One line on where an assertion failed: "12 failing sample(s) from A
/// (+900ms) to B (+11900ms); worst C (+1900ms): 4 (1 above 3)", or the count
/// and the first failure for patterns without a FailureSpan; "" if it passed.
SCXSNAP_API std::string failure_summary(const ExpectationOutcome& o);

/// `check`'s text: per assertion its FAIL/INCONCLUSIVE/NOTE lines (at most
/// `max_failures` failing samples each, then how many more), then one summary
/// line.
SCXSNAP_API std::string outcomes_text(std::span<const ExpectationOutcome> outcomes,
                                      const SampleSeries& series, std::size_t max_failures);
/// One JSON document: {"samples","assertions":[{"expr","verdict","compared_as",...}],
/// "passed","failed","inconclusive"}.
SCXSNAP_API std::string outcomes_json(std::span<const ExpectationOutcome> outcomes,
                                      const SampleSeries& series, std::string_view source);
/// JUnit XML: one <testsuite> named after `source`, one <testcase> per
/// assertion; FAIL is a <failure>, INCONCLUSIVE a <skipped> with the reason.
SCXSNAP_API std::string outcomes_junit(std::span<const ExpectationOutcome> outcomes,
                                       const SampleSeries& series, std::string_view source);

}  // namespace scxsnap
