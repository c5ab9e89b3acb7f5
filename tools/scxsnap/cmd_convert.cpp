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
    auto r = convert_dump_file(opts->in, opts->out,
                               opts->pretty ? JsonStyle::Pretty : JsonStyle::Compact);
    exit_code = r ? kOk : report_error(r.error());
  });
}

}  // namespace scxsnap::cli
