// SPDX-License-Identifier: Apache-2.0
// scxsnap convert IN OUT [--pretty]: validate a report and write it again;
// a native snapshot becomes ktstr JSON.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/native.hpp"

namespace scxsnap::cli {

void add_convert(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "convert",
      "Validate a dump (single, dual or degraded) and write it again (compact or --pretty); a "
      "native snapshot is written as the JSON a direct capture writes");
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
    const JsonStyle style = opts->pretty ? JsonStyle::Pretty : JsonStyle::Compact;
    auto r = is_native_snapshot(opts->in) ? convert_native(opts->in, opts->out, style)
                                          : convert_dump_file(opts->in, opts->out, style);
    exit_code =
        r ? kOk
          : report_error(Error(r.error().code(),
                               r.error().message() + kind_hint(opts->in, FileKind::Report)));
  });
}

}  // namespace scxsnap::cli
