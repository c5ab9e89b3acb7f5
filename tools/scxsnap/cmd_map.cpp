// SPDX-License-Identifier: Apache-2.0
// scxsnap map FILE NAME [--cpu N] [--at I] [--path P] [--sum P] [--json]:
// print a map's entries (or one of them), a CPU's slots or per-CPU sums.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/snapshot.hpp"
#include "snapshot_output.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {
namespace {

struct Opts {
  std::string file, name, path, sum;
  std::optional<std::size_t> cpu, at;
  bool json = false;
};

std::string key_text(const SnapshotEntry& e, bool json) {
  SnapshotField k = e.key("");
  if (const RenderedValue* v = k.raw()) return json ? to_json(*v) : v->display();
  if (k.is_present()) return std::to_string(k.as_u64().value_or(0));
  // No BTF for the key: show its bytes.
  if (const auto* h = std::get_if<SnapshotEntry::Hash>(&e.variant()))
    return "hex:" + h->entry->key_hex;
  if (const auto* h = std::get_if<SnapshotEntry::PercpuHash>(&e.variant()))
    return "hex:" + h->entry->key_hex;
  return {};
}

int print_entry(const SnapshotEntry& e, const Opts& o, bool with_key) {
  if (auto* m = std::get_if<SnapshotEntry::Missing>(&e.variant()))
    return snapshot_error_exit(m->error);
  std::string prefix = with_key ? key_text(e, o.json) : std::string();
  if (!prefix.empty()) prefix += o.json ? "\t" : ": ";
  bool percpu = std::holds_alternative<SnapshotEntry::Percpu>(e.variant()) ||
                std::holds_alternative<SnapshotEntry::PercpuHash>(e.variant());
  if (percpu && !o.cpu) {
    // Without --cpu: the sum (with --sum P), or every CPU slot.
    if (!o.sum.empty()) {
      std::string path = o.sum == "." ? std::string() : o.sum;
      auto s = e.cpu_sum_u64(path);
      if (!s) return snapshot_error_exit(s.error());
      fmt::print("{}{}\n", prefix, *s);
      return kOk;
    }
    std::vector<std::string> slots;
    auto r = e.cpu_each(o.path, [&](std::size_t cpu, const RenderedValue& v) {
      slots.push_back(fmt::format("cpu{}={}", cpu, o.json ? to_json(v) : v.display()));
      return SnapshotResult<std::monostate>(std::monostate{});
    });
    if (!r) return snapshot_error_exit(r.error());
    std::string joined;
    for (const auto& s : slots) joined += (joined.empty() ? "" : " ") + s;
    fmt::print("{}{}\n", prefix, joined);
    return kOk;
  }
  return print_field(e.get(o.path), o.json, prefix);
}

}  // namespace

void add_map(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("map", "Print a map's entries, one entry, a CPU's slots or per-CPU sums");
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "report file ('-' = stdin)")->required();
  cmd->add_option("NAME", o->name, "map name")->required();
  cmd->add_option("--cpu", o->cpu, "narrow per-CPU maps to this CPU");
  cmd->add_option("--at", o->at, "only entry number I (position, not key)");
  cmd->add_option("--path", o->path, "dotted member path inside each value");
  cmd->add_option("--sum", o->sum, "sum this path across CPUs ('.' = the value itself)");
  cmd->add_flag("--json", o->json, "print rendered values as JSON");
  cmd->callback([o, &exit_code] {
    auto report = load_report(o->file);
    if (!report) {
      exit_code = report_error(Error(
          report.error().code(), report.error().message() + kind_hint(o->file, FileKind::Report)));
      return;
    }
    Snapshot snap(*report);
    auto m = snap.map(o->name);
    if (!m) {
      exit_code = snapshot_error_exit(m.error());
      return;
    }
    SnapshotMap view = o->cpu ? m->cpu(*o->cpu) : *m;
    if (o->at) {
      exit_code = print_entry(view.at(*o->at), *o, false);
      return;
    }
    if (view.len() == 0) {
      // Reports why it is empty (render failure) or that it is.
      exit_code = print_entry(view.at(0), *o, false);
      return;
    }
    exit_code = kOk;
    for (std::size_t i = 0; i < view.len(); ++i) {
      int rc = print_entry(view.at(i), *o, true);
      if (rc != kOk) exit_code = rc;
    }
  });
}

}  // namespace scxsnap::cli
