// SPDX-License-Identifier: Apache-2.0
// scxsnap check SERIES --expect EXPR ...: temporal assertions over a recorded
// series (JSON Lines or a native series), evaluated by the library
// (scxsnap/expect.hpp) and printed as text, JSON or JUnit XML. Exit 0 all
// passed, 1 a failure, 4 only inconclusive results, 2 a malformed expression,
// a projection no sample has, or a bad series.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/expect.hpp"
#include "series_input.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {

void add_check(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check", "Evaluate temporal assertions on a recorded series (JSON Lines or native)");
  struct Opts {
    std::string file, format = "text";
    std::vector<std::string> exprs;
    std::size_t max_failures = 10;
  };
  auto o = std::make_shared<Opts>();
  // The grammar as the README gives it (a test keeps the two the same).
  cmd->footer(std::string("Expressions (--expect):\n") + std::string(expectation_grammar()) +
              "\nExit: 0 all passed, 1 a failure, 4 only inconclusive, 2 a malformed expression "
              "or a projection no sample has.");
  cmd->add_option("SERIES", o->file, "series written by 'scxsnap watch' (JSON Lines or native)")
      ->required();
  cmd->add_option("--expect", o->exprs,
                  "an assertion, e.g. 'nondecreasing(var:nr_dispatched)' (repeatable)")
      ->required();
  cmd->add_option("--format", o->format,
                  "text, json (one document) or junit (JUnit XML for CI dashboards)")
      ->check(CLI::IsMember({"text", "json", "junit"}))
      ->capture_default_str();
  cmd->add_option("--max-failures", o->max_failures,
                  "text: failing samples listed per assertion (the count is always given)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    auto exprs = parse_expectations(o->exprs);
    if (!exprs) {
      exit_code = report_error(exprs.error());
      return;
    }
    auto series = load_series_for(o->file, *exprs);
    if (!series) {
      exit_code = report_error(Error(
          series.error().code(), series.error().message() + kind_hint(o->file, FileKind::Series)));
      return;
    }
    std::vector<ExpectationOutcome> outcomes;
    for (const auto& e : *exprs) {
      auto r = evaluate_expectation(e, *series);
      if (!r) {
        exit_code = report_error(r.error());
        return;
      }
      outcomes.push_back(std::move(*r));
    }
    if (o->format == "json")
      fmt::print("{}", outcomes_json(outcomes, *series, o->file));
    else if (o->format == "junit")
      fmt::print("{}", outcomes_junit(outcomes, *series, o->file));
    else
      fmt::print("{}", outcomes_text(outcomes, *series, o->max_failures));
    exit_code = outcomes_exit_code(outcomes);
  });
}

}  // namespace scxsnap::cli
