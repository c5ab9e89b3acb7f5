// SPDX-License-Identifier: Apache-2.0
// scxsnap check SERIES.jsonl --expect EXPR ...: temporal assertions over a
// recorded series. Exit 0 all passed, 1 a failure, 4 only inconclusive
// results, 2 a malformed expression or series.
#include "check_expr.hpp"
#include "commands.hpp"
#include "file_kind.hpp"
#include "series_input.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {
namespace {
constexpr const char* kGrammar = R"grammar(
EXPR  := PATTERN "(" PROJ ["," PROJ] {"," NUMBER} ")"
       | "each(" PROJ ")." ("at_least(" N ")" | "at_most(" N ")" | "between(" LO "," HI ")")
PATTERN := nondecreasing(P) | strictly_increasing(P) | always_true(P)
         | rate_within(P, LO, HI)              # units per ms between consecutive samples
         | steady_within(P, WARMUP_MS, TOL)    # TOL is a fraction: 0.1 = ±10% of the mean
         | converges_to(P, TARGET, TOL, DEADLINE_MS)
         | ratio_within(P, Q, LO, HI)
PROJ  := var:NAME                  # live_var(NAME) (through the active object)
       | map:MAP[.PATH]            # the value of entry 0 (or [I]) of MAP; @CPU narrows per-CPU maps
       | map:MAP.cpu_sum(PATH) | map:MAP.cpu_max(PATH) | map:MAP.cpu_min(PATH)
       | stats:PATH                # the sample's scheduler-stats JSON
       | cpuN:FIELD                # per_cpu_time of CPU N (cpustat_user_ns, …, irqs_sum)
)grammar";
}  // namespace

void add_check(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("check", "Evaluate temporal assertions on a recorded series (JSON Lines)");
  struct Opts {
    std::string file;
    std::vector<std::string> exprs;
  };
  auto o = std::make_shared<Opts>();
  // The grammar as the README gives it (a test keeps the two the same).
  cmd->footer(std::string("Expressions (--expect):\n") + kGrammar +
              "\nExit: 0 all passed, 1 a failure, 4 only inconclusive, 2 a malformed expression.");
  cmd->add_option("SERIES", o->file, "series written by 'scxsnap watch'")->required();
  cmd->add_option("--expect", o->exprs,
                  "an assertion, e.g. 'nondecreasing(var:nr_dispatched)' (repeatable)")
      ->required();
  cmd->callback([o, &exit_code] {
    auto exprs = parse_check_exprs(o->exprs);
    if (!exprs) {
      exit_code = report_error(exprs.error());
      return;
    }
    const std::vector<CheckExpr>& parsed = *exprs;
    auto series = load_series(o->file);
    if (!series) {
      exit_code = report_error(Error(
          series.error().code(), series.error().message() + kind_hint(o->file, FileKind::Series)));
      return;
    }
    for (const auto& n : series->notes()) fmt::print("NOTE: {}\n", n);
    std::size_t passed = 0, failed = 0, inconclusive = 0;
    for (const auto& e : parsed) {
      Verdict v;
      auto r = eval_check_expr(e, *series, v);
      if (!r) {
        exit_code = report_error(r.error());
        return;
      }
      // A pattern that saw too few samples proves nothing: inconclusive,
      // never passed (the library's patterns count it as vacuously true).
      bool too_few = v.passed() && r->evaluated < r->needed;
      for (const auto& m : v.failures()) fmt::print("FAIL: {}\n", m);
      for (const auto& m : v.inconclusives()) fmt::print("INCONCLUSIVE: {}\n", m);
      if (too_few)
        fmt::print(
            "INCONCLUSIVE: {}: {} of {} sample(s) evaluated, the pattern needs at least {}\n",
            e.text, r->evaluated, r->samples, r->needed);
      for (const auto& m : v.notes()) fmt::print("NOTE: {}\n", m);
      if (!v.passed())
        ++failed;
      else if (v.inconclusive() || too_few)
        ++inconclusive;
      else
        ++passed;
    }
    fmt::print("check: {} sample(s), {} assertion(s): {} passed, {} failed, {} inconclusive\n",
               series->len(), parsed.size(), passed, failed, inconclusive);
    exit_code = failed ? kAbsent : inconclusive ? 4 : kOk;
  });
}

}  // namespace scxsnap::cli
