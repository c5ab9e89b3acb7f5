// SPDX-License-Identifier: Apache-2.0
// scxsnap var FILE NAME [--live] [--obj O] [--map-id ID] [--path a.b] [--json]
// [--raw]: read one global variable.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/snapshot.hpp"
#include "snapshot_output.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace scxsnap::cli {

void add_var(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("var", "Print a global variable of a report (var / live_var)");
  struct Opts {
    std::string file, name, path;
    bool live = false, early = false;
    OutputStyle style;
    MapScope scope;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "report file ('-' = stdin)")->required();
  cmd->add_option("NAME", o->name,
                  "variable name (a member of <obj>.bss/.data/.rodata; else of .data.NAME, "
                  ".rodata.NAME, <obj>.kconfig)")
      ->required();
  cmd->add_flag("--live", o->live, "resolve through the active scheduler (live_var)");
  cmd->add_option("--obj", o->scope.obj,
                  "only this object's globals (NAME or btf:ID, see show): resolves a name "
                  "several objects define");
  cmd->add_option("--map-id", o->scope.map_id, "only the globals of the map with this id");
  cmd->add_option("--path", o->path, "dotted member path inside the variable");
  cmd->add_flag("--json", o->style.json, "print the rendered value as JSON");
  cmd->add_flag("--raw", o->style.raw, "print char arrays as elements, not as C strings");
  cmd->add_flag("--early", o->early, "in a dual dump, the early snapshot (default: the late one)");
  cmd->callback([o, &exit_code] {
    // A native snapshot renders this variable only.
    NativeSelection sel;
    sel.vars = std::vector<std::string>{o->name};
    auto report =
        load_walkable(o->file, o->early ? DumpHalf::Early : DumpHalf::Late, exit_code, sel);
    if (!report) return;
    if (auto n = narrow_report(*report, o->scope); !n) {
      exit_code = lookup_error(n.error());
      return;
    }
    Snapshot snap(*report);
    SnapshotField f = o->live ? snap.live_var(o->name) : snap.var(o->name);
    if (!o->path.empty()) f = f.get(o->path);
    exit_code = print_field(f, o->style, {}, &*report);
    if (const RenderedValue* v = f.raw(); v && exit_code == kOk)
      if (auto note = cut_section_note(*report, o->name, *v))
        std::fprintf(stderr, "scxsnap: %s\n", note->c_str());
  });
}

}  // namespace scxsnap::cli
