// SPDX-License-Identifier: Apache-2.0
// The `scxsnap check` expression language (see README, "check expressions"):
//   PATTERN(PROJ [, PROJ] [, NUMBER]...)      e.g. rate_within(var:nr_dispatched, 0, 5000)
//   each(PROJ).at_least(N) | .at_most(N) | .between(LO, HI)
// PROJ: var:NAME | stats:PATH | cpuN:FIELD | map:NAME[.FIELD | .cpu_sum(F) | .cpu_max(F) |
// .cpu_min(F)]
//       with optional [INDEX] and @CPU after the map name.
#pragma once

#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"

#include <string>
#include <vector>

namespace scxsnap::cli {

struct CheckExpr {
  std::string text;
  std::string pattern;  // nondecreasing, …, or "each.at_least" / "each.at_most" / "each.between"
  std::vector<std::string> projs;      // projection texts
  std::vector<double> nums;            // numeric arguments
  std::vector<std::string> num_texts;  // their source text (exact integers)
};

/// How many samples an assertion could look at, and how many it needs to
/// say anything (2 for orderings and rates, 3 for converges_to, else 1).
struct Evaluated {
  std::size_t samples = 0, evaluated = 0, needed = 1;
};

/// Parse one expression; errors name the column (1-based) and what was expected.
Result<CheckExpr> parse_check_expr(const std::string& text);

/// Parse each of `texts`; the first malformed one is the error.
Result<std::vector<CheckExpr>> parse_check_exprs(const std::vector<std::string>& texts);

/// Evaluate it over the series into the verdict. Errors: an unknown
/// projection or pattern (bad usage).
Result<Evaluated> eval_check_expr(const CheckExpr& e, const SampleSeries& series, Verdict& v);

}  // namespace scxsnap::cli
