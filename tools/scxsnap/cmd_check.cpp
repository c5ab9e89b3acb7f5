// SPDX-License-Identifier: Apache-2.0
// scxsnap check SERIES.jsonl --expect EXPR ...: temporal assertions over a
// recorded series. Exit 0 all passed, 1 a failure, 4 only inconclusive
// results, 2 a malformed expression or series.
#include "check_expr.hpp"
#include "commands.hpp"
#include "file_kind.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {

void add_check(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("check", "Evaluate temporal assertions on a recorded series (JSON Lines)");
  struct Opts {
    std::string file;
    std::vector<std::string> exprs;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("SERIES", o->file, "series written by 'scxsnap watch'")->required();
  cmd->add_option("--expect", o->exprs,
                  "an assertion, e.g. 'nondecreasing(var:nr_dispatched)' (repeatable)")
      ->required();
  cmd->callback([o, &exit_code] {
    std::vector<CheckExpr> parsed;
    for (const auto& t : o->exprs) {
      auto e = parse_check_expr(t);
      if (!e) {
        exit_code = report_error(e.error());
        return;
      }
      parsed.push_back(*e);
    }
    auto series = SampleSeries::load_jsonl(o->file);
    if (!series) {
      exit_code = report_error(Error(
          series.error().code(), series.error().message() + kind_hint(o->file, FileKind::Series)));
      return;
    }
    std::size_t passed = 0, failed = 0, inconclusive = 0;
    for (const auto& e : parsed) {
      Verdict v;
      if (auto r = eval_check_expr(e, *series, v); !r) {
        exit_code = report_error(r.error());
        return;
      }
      for (const auto& m : v.failures()) fmt::print("FAIL: {}\n", m);
      for (const auto& m : v.inconclusives()) fmt::print("INCONCLUSIVE: {}\n", m);
      for (const auto& m : v.notes()) fmt::print("NOTE: {}\n", m);
      if (!v.passed())
        ++failed;
      else if (v.inconclusive())
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
