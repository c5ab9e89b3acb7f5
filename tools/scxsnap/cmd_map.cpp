// SPDX-License-Identifier: Apache-2.0
// scxsnap map FILE [NAME] [--map-id ID] [--obj O] [--cpu N] [--at I] [--path P]
// [--sum P] [--json] [--raw]: print a map's entries (or one of them), a CPU's
// slots, per-CPU sums, or what a ring buffer, stack trace, map/program array
// or arena holds. Entries without BTF print as their bytes.
#include "commands.hpp"
#include "file_kind.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/report_text.hpp"
#include "scxsnap/snapshot.hpp"
#include "snapshot_output.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {
namespace {

struct Opts {
  std::string file, name, path, sum;
  std::optional<std::size_t> cpu, at;
  OutputStyle style;
  MapScope scope;
  bool early = false;
};

std::string key_text(const SnapshotEntry& e, const OutputStyle& style) {
  SnapshotField k = e.key("");
  if (const RenderedValue* v = k.raw()) return value_text(*v, style);
  if (k.is_present()) return std::to_string(k.as_u64().value_or(0));
  // No BTF for the key: show its bytes.
  if (const auto* h = std::get_if<SnapshotEntry::Hash>(&e.variant()))
    return "hex:" + h->entry->key_hex;
  if (const auto* h = std::get_if<SnapshotEntry::PercpuHash>(&e.variant()))
    return "hex:" + h->entry->key_hex;
  return {};
}

// One entry as printed: its key and its value, as text or JSON by the style.
struct EntryText {
  std::string key, value;
  const char* field = "value";  // JSON: "value", "cpus" (every slot) or "sum"
};
using Rendered = std::variant<EntryText, int>;  // or the exit code of an error (printed)

std::string json_string(std::string_view s) {
  return to_json_text(JsonValue::string(std::string(s)));
}

// The value has no rendering (no BTF): its bytes, or why a path cannot be taken.
Rendered unrendered(const SnapshotEntry& e, const Opts& o, std::string key,
                    const SnapshotError& err) {
  const auto* h = std::get_if<SnapshotEntry::Hash>(&e.variant());
  const auto* nr = err.get_if<errors::NoRendered>();
  if (!nr) return snapshot_error_exit(err);
  if (h && o.path.empty() && !h->entry->value_hex.empty()) {
    std::string hex = "hex:" + h->entry->value_hex;
    return EntryText{std::move(key), o.style.json ? json_string(hex) : hex};
  }
  std::fprintf(stderr, "scxsnap: map '%s' has no rendered %s (no BTF for it)%s\n", o.name.c_str(),
               nr->side.c_str(), o.path.empty() ? "" : ": drop --path to see its bytes");
  return kAbsent;
}

bool is_percpu(const SnapshotEntry& e) {
  return std::holds_alternative<SnapshotEntry::Percpu>(e.variant()) ||
         std::holds_alternative<SnapshotEntry::PercpuHash>(e.variant());
}

// --sum P: the sum across CPUs, exact; past 2^64-1 it is said, not wrapped.
Rendered cpu_sum(const SnapshotEntry& e, const Opts& o, std::string key) {
  const std::string path = o.sum == "." ? std::string() : o.sum;
  if (auto s = e.cpu_sum_u64(path)) {
    if (*s == UINT64_MAX) {
      auto f = e.cpu_sum_f64(path);
      if (f && *f >= 18446744073709551615.0) {
        std::string approx = fmt::format("{:.6g}", *f);
        return EntryText{std::move(key),
                         o.style.json ? approx
                                      : fmt::format("{} (past 2^64-1: the exact sum does not fit "
                                                    "in 64 bits)",
                                                    approx),
                         "sum"};
      }
    }
    return EntryText{std::move(key), std::to_string(*s), "sum"};
  }
  if (auto i = e.cpu_sum_i64(path)) return EntryText{std::move(key), std::to_string(*i), "sum"};
  if (auto f = e.cpu_sum_f64(path)) return EntryText{std::move(key), fmt::format("{}", *f), "sum"};
  const SnapshotError err = e.cpu_sum_u64(path).error();
  const int rc = snapshot_error_exit(err);
  // A path the value does not have is bad usage, said once (not per entry).
  const bool bad_path = err.is<errors::NotAStruct>() || err.is<errors::FieldNotFound>() ||
                        err.is<errors::EmptyPathComponent>() || err.is<errors::TypeMismatch>();
  return bad_path ? kBadInput : rc;
}

Rendered render_entry(const SnapshotEntry& e, const Opts& o) {
  if (auto* m = std::get_if<SnapshotEntry::Missing>(&e.variant()))
    return snapshot_error_exit(m->error);
  std::string key = key_text(e, o.style);
  if (o.style.json && key.starts_with("hex:")) key = json_string(key);
  if (is_percpu(e) && !o.cpu) {
    // Without --cpu: the sum (with --sum P), or every CPU slot.
    if (!o.sum.empty()) return cpu_sum(e, o, std::move(key));
    std::string joined;
    auto r = e.cpu_each(o.path, [&](std::size_t cpu, const RenderedValue& v) {
      if (o.style.json)
        joined += fmt::format("{}{{\"cpu\":{},\"value\":{}}}", joined.empty() ? "" : ",", cpu,
                              value_text(v, o.style));
      else
        joined += fmt::format("{}cpu{}={}", joined.empty() ? "" : " ", cpu, value_text(v, o.style));
      return SnapshotResult<std::monostate>(std::monostate{});
    });
    if (!r) return snapshot_error_exit(r.error());
    return EntryText{std::move(key), o.style.json ? "[" + joined + "]" : joined, "cpus"};
  }
  SnapshotField f = e.get(o.path);
  if (const SnapshotError* err = f.error()) {
    if (err->is<errors::NoRendered>()) return unrendered(e, o, std::move(key), *err);
    return snapshot_error_exit(*err);
  }
  if (const RenderedValue* v = f.raw()) return EntryText{std::move(key), value_text(*v, o.style)};
  return EntryText{std::move(key), std::to_string(f.as_u64().value_or(0))};  // a per-CPU key
}

// --cpu and --sum fit per-CPU maps only, and --cpu a CPU the map has: said
// once, as bad usage (not once per entry, and never ignored).
std::optional<std::string> per_cpu_usage_error(const FailureDumpMap& m, const Opts& o) {
  const bool percpu = !m.percpu_entries.empty() || !m.percpu_hash_entries.empty() ||
                      m.map_type == 5 || m.map_type == 6 || m.map_type == 10;
  if (!percpu && (o.cpu || !o.sum.empty()))
    return fmt::format("{} applies to per-CPU maps; '{}' is not one ({})",
                       o.cpu ? "--cpu" : "--sum", m.name, map_type_name(m.map_type));
  if (percpu && o.cpu) {
    std::size_t cpus = 0;
    for (const auto& e : m.percpu_entries) cpus = std::max(cpus, e.per_cpu.size());
    for (const auto& e : m.percpu_hash_entries) cpus = std::max(cpus, e.per_cpu.size());
    if (cpus && *o.cpu >= cpus)
      return fmt::format("--cpu {}: '{}' has slots for CPUs 0-{}", *o.cpu, m.name, cpus - 1);
  }
  return std::nullopt;
}

// The one map NAME (or --map-id) names; two maps of one name are an error
// that lists their ids.
Result<const FailureDumpMap*> pick_map(const FailureDumpReport& r, Opts& o) {
  std::vector<const FailureDumpMap*> hits;
  for (const auto& m : r.maps) {
    bool match = o.name.empty() || map_name_matches(o.name, m.name);
    if (match) hits.push_back(&m);
  }
  if (hits.size() == 1) {
    o.name = hits.front()->name;
    return hits.front();
  }
  if (hits.empty()) return nullptr;  // Snapshot::map says what there is
  if (o.name.empty())
    return Error(ErrorCode::InvalidArgument, "map: give a map NAME or --map-id ID");
  std::string ids;
  for (const auto* m : hits)
    ids += fmt::format("{}{}{}", ids.empty() ? "" : ", ", m->map_id,
                       m->btf_id ? fmt::format(" (btf:{})", m->btf_id) : std::string());
  return Error(ErrorCode::NotFound,
               fmt::format("{} maps are named '{}' (map ids {}): pick one with --map-id ID or "
                           "--obj NAME|btf:ID",
                           hits.size(), o.name, ids));
}

// `map FILE` without a name: the maps there are (a native snapshot's from
// its index, nothing rendered), one per line: name, type, id, size.
int list_maps(Opts& o) {
  int exit_code = kOk;
  std::optional<FailureDumpReport> report;
  if (o.file != "-" && is_native_snapshot(o.file)) {
    auto snap = NativeSnapshot::open(o.file);
    if (!snap) return report_error(snap.error());
    report = snap->skeleton();
  } else {
    report = load_walkable(o.file, o.early ? DumpHalf::Early : DumpHalf::Late, exit_code);
    if (!report) return exit_code;
  }
  if (auto n = narrow_report(*report, o.scope); !n) return lookup_error(n.error());
  if (o.style.json) {
    std::vector<JsonValue> maps;
    for (const auto& m : report->maps)
      maps.push_back(
          JsonValue::object({{"name", JsonValue::string(m.name)},
                             {"map_type", JsonValue::string(map_type_name(m.map_type))},
                             {"map_id", JsonValue::number(std::uint64_t{m.map_id})},
                             {"max_entries", JsonValue::number(std::uint64_t{m.max_entries})}}));
    fmt::print("{}\n", to_json_text(JsonValue::array(std::move(maps))));
    return kOk;
  }
  for (const auto& m : report->maps)
    fmt::print("{}\t{}\tid {}\tmax_entries {}\n", m.name, map_type_name(m.map_type), m.map_id,
               m.max_entries);
  fmt::print("{} map(s); `scxsnap map {} NAME` prints one\n", report->maps.size(), o.file);
  return kOk;
}

}  // namespace

void add_map(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "map",
      "Print a map's entries, one entry, a CPU's slots or per-CPU sums, or what a ring "
      "buffer, stack trace, map/program array or arena holds");
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "report file ('-' = stdin)")->required();
  cmd->add_option("NAME", o->name,
                  "map name (a name longer than 15 characters matches its kernel cut); "
                  "optional with --map-id; without either, the maps are listed");
  cmd->add_option("--map-id", o->scope.map_id, "the map with this id");
  cmd->add_option("--obj", o->scope.obj, "only maps of this object (NAME or btf:ID, see show)");
  cmd->add_option("--cpu", o->cpu, "narrow per-CPU maps to this CPU");
  cmd->add_option("--at", o->at, "only entry number I (position, not key)");
  cmd->add_option("--path", o->path, "dotted member path inside each value");
  cmd->add_option("--sum", o->sum, "sum this path across CPUs ('.' = the value itself)");
  cmd->add_flag("--json", o->style.json, "print rendered values as JSON");
  cmd->add_flag("--raw", o->style.raw, "print char arrays as elements, not as C strings");
  cmd->add_flag("--early", o->early, "in a dual dump, the early snapshot (default: the late one)");
  cmd->callback([o, &exit_code] {
    if (o->name.empty() && !o->scope.map_id) {
      exit_code = list_maps(*o);
      return;
    }
    // A native snapshot renders this map only.
    NativeSelection sel;
    if (!o->name.empty()) sel.maps.push_back(o->name);
    if (o->scope.map_id) sel.map_ids.push_back(*o->scope.map_id);
    auto report =
        load_walkable(o->file, o->early ? DumpHalf::Early : DumpHalf::Late, exit_code, sel);
    if (!report) return;
    // Every map's name and id, kept from before the narrowing: a map-of-maps
    // slot names its inner map when the report has it, --map-id or not.
    FailureDumpReport names;
    for (const auto& m : report->maps) {
      FailureDumpMap& n = names.maps.emplace_back();
      n.name = m.name;
      n.map_id = m.map_id;
    }
    if (auto n = narrow_report(*report, o->scope); !n) {
      exit_code = lookup_error(n.error());
      return;
    }
    auto picked = pick_map(*report, *o);
    if (!picked) {
      exit_code = lookup_error(picked.error());
      return;
    }
    // Ring buffers, stack traces, fd arrays, arena pages: their own lines,
    // after the value when the map has one too (an arena's __arena globals).
    std::vector<std::string> lines;
    if (const FailureDumpMap* fm = *picked) {
      lines = special_contents(*fm, o->style.json, names);
      if (!lines.empty() && !fm->value) {
        for (const auto& l : lines) fmt::print("{}\n", l);
        exit_code = kOk;
        return;
      }
    }
    struct PrintAfter {
      const std::vector<std::string>& lines;
      ~PrintAfter() {
        for (const auto& l : lines) fmt::print("{}\n", l);
      }
    } print_after{lines};
    Snapshot snap(*report);
    auto m = snap.map(o->name);
    if (!m) {
      exit_code = snapshot_error_exit(m.error(), &*report);
      return;
    }
    if (const FailureDumpMap* fm = *picked)
      if (auto why = per_cpu_usage_error(*fm, *o)) {
        exit_code = report_error(Error(ErrorCode::InvalidArgument, *why));
        return;
      }
    SnapshotMap view = o->cpu ? m->cpu(*o->cpu) : *m;
    // Text: one line per entry ("KEY: VALUE"; --at: the value alone). JSON:
    // one document, an array of {"key","value"|"cpus"|"sum"} (--at: the object).
    auto entry_json = [&](const EntryText& t) {
      return t.key.empty() ? fmt::format("{{\"{}\":{}}}", t.field, t.value)
                           : fmt::format("{{\"key\":{},\"{}\":{}}}", t.key, t.field, t.value);
    };
    if (!o->at && view.len() == 0) {
      // A map with no entries is an answer, not an error (one whose contents
      // failed to render says why, below).
      const SnapshotEntry first = view.at(0);
      const auto* missing = std::get_if<SnapshotEntry::Missing>(&first.variant());
      if (missing && missing->error.is<errors::IndexOutOfRange>()) {
        fmt::print("{}\n", o->style.json ? "[]" : "(empty: no entries)");
        exit_code = kOk;
        return;
      }
    }
    if (o->at || view.len() == 0) {
      // One entry; an empty map reports why it is empty (render failure) or that it is.
      Rendered r = render_entry(view.at(o->at.value_or(0)), *o);
      if (const int* rc = std::get_if<int>(&r)) {
        exit_code = *rc;
        return;
      }
      const auto& t = std::get<EntryText>(r);
      fmt::print("{}\n", o->style.json ? entry_json(t) : t.value);
      exit_code = kOk;
      return;
    }
    exit_code = kOk;
    std::string doc;
    for (std::size_t i = 0; i < view.len(); ++i) {
      Rendered r = render_entry(view.at(i), *o);
      if (const int* rc = std::get_if<int>(&r)) {
        exit_code = *rc;
        if (*rc == kBadInput) break;  // a bad path or sum: said once, not per entry
        continue;
      }
      const auto& t = std::get<EntryText>(r);
      if (o->style.json)
        doc += (doc.empty() ? "[" : ",") + entry_json(t);
      else
        fmt::print("{}{}\n", t.key.empty() ? "" : t.key + ": ", t.value);
    }
    if (o->style.json) fmt::print("{}]\n", doc.empty() ? "[" : doc);
  });
}

}  // namespace scxsnap::cli
