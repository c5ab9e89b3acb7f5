// SPDX-License-Identifier: Apache-2.0
// scxsnap report INPUT -o OUT.html: one self-contained HTML page of a report
// (the object tree, per-CPU bars, what is missing) or of a series (plots
// over time, heat maps, assertions). Nothing in the page is fetched when it
// is opened.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/report.hpp"
#include "series_input.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace scxsnap::cli {

void add_report(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report", "Write an HTML page of a report or a series (plots, heat maps, assertions)");
  struct Opts {
    std::string in, out;
    std::vector<std::string> exprs;
    std::size_t max_entries = 100;
    bool early = false, only_expected = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("INPUT", o->in,
                  "a report (JSON or native) or a series (JSON Lines or native, from 'watch')")
      ->required();
  cmd->add_option("-o,--output", o->out, "the HTML file to write ('-' = stdout)")->required();
  cmd->add_option("--expect", o->exprs,
                  "a series: an assertion as 'check' takes it, drawn on its plot (repeatable)");
  cmd->add_option("--max-entries", o->max_entries,
                  "a report: entries shown per hash map (the count is always given)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--only-expected", o->only_expected,
                "a series: plot only the globals and maps the --expect assertions name (a native "
                "series is then read only as far as they need)");
  cmd->add_flag("--early", o->early, "a dual dump: the early snapshot instead of the late one");
  cmd->callback([o, &exit_code] {
    auto exprs = parse_expectations(o->exprs);
    if (!exprs) {
      exit_code = report_error(exprs.error());
      return;
    }
    const std::vector<Expectation>& parsed = *exprs;
    std::string page;
    if (o->in != "-" && !std::filesystem::exists(o->in)) {
      exit_code = report_error(
          Error(ErrorCode::NotFound, fmt::format("cannot open {}: no such file", o->in)));
      return;
    }
    if (sniff_file_kind(o->in) == FileKind::Series) {
      if (o->only_expected && parsed.empty()) {
        exit_code = report_error(
            Error(ErrorCode::InvalidArgument, "--only-expected needs at least one --expect"));
        return;
      }
      auto series = o->only_expected ? load_series_for(o->in, parsed) : load_series(o->in);
      if (!series) {
        exit_code = report_error(series.error());
        return;
      }
      auto html = html::series_page(*series, o->in, parsed, o->only_expected);
      if (!html) {
        exit_code = report_error(html.error());
        return;
      }
      page = std::move(*html);
    } else {
      if (!parsed.empty()) {
        exit_code = report_error(
            Error(ErrorCode::BadInput, fmt::format("--expect needs a series; {} is a single dump{}",
                                                   o->in, kind_hint(o->in, FileKind::Series))));
        return;
      }
      auto dump = load_any_dump(o->in);
      if (!dump) {
        exit_code = report_error(dump.error());
        return;
      }
      auto r = report_of(*dump, o->early ? DumpHalf::Early : DumpHalf::Late);
      if (!r) {
        exit_code = lookup_error(r.error());
        return;
      }
      page = html::report_page(**r, o->in, o->max_entries);
    }
    if (auto w = write_file_atomic(o->out, page, FileMode::Shared); !w) {
      exit_code = report_error(w.error());
      return;
    }
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
