// SPDX-License-Identifier: Apache-2.0
// scxsnap convert IN OUT [--pretty]: validate a report and write it again.
#include "commands.hpp"
#include "scxsnap/dump_file.hpp"

namespace scxsnap::cli {

void add_convert(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "convert",
      "Validate a dump (single, dual or degraded) and write it again (compact or --pretty)");
  struct Opts {
    std::string in, out;
    bool pretty = false;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("IN", opts->in, "input report ('-' = stdin)")->required();
  cmd->add_option("OUT", opts->out, "output file ('-' = stdout); written atomically, mode 0600")
      ->required();
  cmd->add_flag("--pretty", opts->pretty, "indent the output");
  cmd->callback([opts, &exit_code] {
    auto text = read_text_file(opts->in);
    if (!text) {
      exit_code = report_error(text.error());
      return;
    }
    auto report = parse_dump_file(*text);
    if (!report) {
      exit_code = report_error(report.error().with_context(opts->in == "-" ? "<stdin>" : opts->in));
      return;
    }
    std::string json = to_json(*report, opts->pretty ? JsonStyle::Pretty : JsonStyle::Compact);
    // Mirror the input's final newline (ktstr writes none, to_string and
    // to_string_pretty alike) so a dump converts byte for byte either way.
    if (!text->empty() && text->back() == '\n') json += '\n';
    if (auto w = write_file_atomic(opts->out, json); !w) {
      exit_code = report_error(w.error());
      return;
    }
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
