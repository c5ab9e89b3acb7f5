// SPDX-License-Identifier: Apache-2.0
// scxsnap var FILE NAME [--live] [--path a.b] [--json]: read one global variable.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/snapshot.hpp"
#include "snapshot_output.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {

void add_var(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("var", "Print a global variable of a report (var / live_var)");
  struct Opts {
    std::string file, name, path;
    bool live = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "report file ('-' = stdin)")->required();
  cmd->add_option("NAME", o->name, "variable name (a member of <obj>.bss/.data/.rodata)")
      ->required();
  cmd->add_flag("--live", o->live, "resolve through the active scheduler (live_var)");
  cmd->add_option("--path", o->path, "dotted member path inside the variable");
  cmd->add_flag("--json", o->json, "print the rendered value as JSON");
  cmd->callback([o, &exit_code] {
    auto report = load_report(o->file);
    if (!report) {
      exit_code = report_error(Error(
          report.error().code(), report.error().message() + kind_hint(o->file, FileKind::Report)));
      return;
    }
    Snapshot snap(*report);
    SnapshotField f = o->live ? snap.live_var(o->name) : snap.var(o->name);
    if (!o->path.empty()) f = f.get(o->path);
    exit_code = print_field(f, o->json);
  });
}

}  // namespace scxsnap::cli
