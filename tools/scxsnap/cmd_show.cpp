// SPDX-License-Identifier: Apache-2.0
// scxsnap show FILE: a readable summary of a report.
#include "commands.hpp"
#include "file_kind.hpp"
#include "human.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/report_text.hpp"

#include <fmt/format.h>
#include <map>

namespace scxsnap::cli {
namespace {

std::uint64_t array_cap(const FailureDumpReport& r) {
  return r.capture && r.capture->max_array_elements ? r.capture->max_array_elements : 4096;
}

void print_capped_arrays(const FailureDumpReport& r) {
  auto rows = capped_arrays(r);
  if (rows.empty()) return;
  fmt::print(
      "capped arrays (at most {} elements of an array are kept; capture --max-array-elements N "
      "keeps more): {}\n",
      array_cap(r), rows.size());
  for (std::size_t i = 0; i < rows.size() && i < 20; ++i) {
    const auto& [m, path, c] = rows[i];
    fmt::print("  {}: {} (declared {}, {} kept){}\n", m->name, path, c.declared, c.kept,
               c.places > 1 ? fmt::format(" in {} places", c.places) : std::string());
  }
  if (rows.size() > 20) fmt::print("  ... and {} more\n", rows.size() - 20);
}

// The same summary as JSON, for scripts.
JsonValue summary_json(const std::string& file, const FailureDumpReport& r) {
  using J = JsonValue;
  auto u = [](std::uint64_t v) { return J::number(v); };
  auto opt = [](const std::optional<std::string>& s) { return s ? J::string(*s) : J::null(); };
  J capture = J::null();
  if (r.capture) {
    const CaptureInfo& c = *r.capture;
    capture = J::object({{"host", J::string(c.host)},
                         {"kernel_release", J::string(c.kernel_release)},
                         {"captured_at", J::string(c.captured_at)},
                         {"tool_version", J::string(c.tool_version)},
                         {"duration_us", u(c.duration_us)},
                         {"max_value_bytes", u(c.max_value_bytes)},
                         {"values_truncated", u(c.values_truncated)},
                         {"stopped_by", opt(c.stopped_by)}});
  }
  std::vector<J> objects;
  for (const auto& g : report_objects(r)) {
    std::vector<J> maps;
    for (std::size_t i : g.maps) {
      const FailureDumpMap& m = r.maps[i];
      maps.push_back(J::object({{"id", u(m.map_id)},
                                {"name", J::string(m.name)},
                                {"type", J::string(std::string(map_type_name(m.map_type)))},
                                {"value_size", u(m.value_size)},
                                {"max_entries", u(m.max_entries)},
                                {"content", J::string(describe_content(m))},
                                {"error", opt(m.error)}}));
    }
    objects.push_back(J::object({{"key", J::string(g.key)},
                                 {"name", J::string(g.name)},
                                 {"btf_id", u(g.btf_id)},
                                 {"title", J::string(g.title())},
                                 {"maps", J::array(std::move(maps))}}));
  }
  std::vector<J> capped;
  for (const auto& [m, path, c] : capped_arrays(r))
    capped.push_back(J::object({{"map", J::string(m->name)},
                                {"map_id", u(m->map_id)},
                                {"path", J::string(path)},
                                {"declared", u(c.declared)},
                                {"kept", u(c.kept)},
                                {"places", u(c.places)}}));
  std::vector<J::Member> unavailable;
  for (const auto& [name, reason] : unavailable_reasons(r))
    unavailable.emplace_back(name, J::string(*reason));
  J doc = J::object({
      {"file", J::string(file)},
      {"schema", J::string(r.schema)},
      {"placeholder", J::boolean(r.is_placeholder)},
      {"capture", std::move(capture)},
      {"active_object", opt(r.active_obj_name)},
      {"maps", u(r.maps.size())},
      {"maps_skipped", u(r.maps_truncated)},
      {"stopped_at_us", r.dump_truncated_at_us ? u(*r.dump_truncated_at_us) : J::null()},
      {"objects", J::array(std::move(objects))},
      {"array_cap", u(array_cap(r))},
      {"capped_arrays", J::array(std::move(capped))},
      {"host_context", J::object({{"prog_runtime_stats", u(r.prog_runtime_stats.size())},
                                  {"per_cpu_time", u(r.per_cpu_time.size())},
                                  {"per_node_numa", u(r.per_node_numa.size())},
                                  {"cgroup_psi", u(r.cgroup_psi.size())},
                                  {"task_enrichments", u(r.task_enrichments.size())},
                                  {"event_counter_timeline", u(r.event_counter_timeline.size())}})},
      {"unavailable", J::object(std::move(unavailable))},
  });
  return doc;
}

JsonValue dump_json(const std::string& file, const FailureDumpFile& dump) {
  using J = JsonValue;
  if (const auto* r = std::get_if<FailureDumpReport>(&dump)) return summary_json(file, *r);
  if (const auto* d = std::get_if<DualFailureDumpReport>(&dump))
    return J::object({{"file", J::string(file)},
                      {"schema", J::string(std::string(kSchemaDual))},
                      {"early_max_age_jiffies", J::number(d->early_max_age_jiffies)},
                      {"early_threshold_jiffies", J::number(d->early_threshold_jiffies)},
                      {"early_skipped_reason",
                       d->early_skipped_reason ? J::string(*d->early_skipped_reason) : J::null()},
                      {"late", summary_json(file, d->late)},
                      {"early", d->early ? summary_json(file, *d->early) : J::null()}});
  const auto& g = std::get<DegradedFailureDumpReport>(dump);
  return J::object({{"file", J::string(file)},
                    {"schema", J::string(std::string(kSchemaDegraded))},
                    {"reason", J::string(g.reason)},
                    {"watchpoint_hit", J::boolean(g.watchpoint_hit)},
                    {"bss_latch_state", J::string(g.bss_latch_state)},
                    {"exit_kind", g.exit_kind ? J::number(std::uint64_t{*g.exit_kind}) : J::null()},
                    {"elapsed_ms", J::number(g.elapsed_ms)},
                    {"vcpus", J::number(std::uint64_t{g.vcpu_regs.size()})}});
}

// "native snapshot: ..." for a native file, else "".
std::string native_line(const std::string& file) {
  if (!is_native_snapshot(file)) return {};
  auto snap = NativeSnapshot::open(file);
  if (!snap) return {};
  return fmt::format(
      "native snapshot: format {} by scxsnap {}: {} of raw keys and values in a {} file "
      "(rendered when read; scxsnap convert writes its JSON)\n",
      snap->format_version(), snap->writer_version(), human_bytes(snap->raw_bytes()),
      human_bytes(snap->file_bytes()));
}

void print_summary(const std::string& file, const FailureDumpReport& r) {
  fmt::print("report: {}\n", file);
  fmt::print("{}", native_line(file));
  fmt::print("schema: {}   placeholder: {}\n", r.schema, r.is_placeholder ? "yes" : "no");
  if (r.capture)
    fmt::print("captured: host {} kernel {} at {} in {} by scxsnap {}\n", r.capture->host,
               r.capture->kernel_release, r.capture->captured_at, human_us(r.capture->duration_us),
               r.capture->tool_version);
  if (r.capture && r.capture->trigger) {
    const CaptureTrigger& t = *r.capture->trigger;
    fmt::print("trigger: {}: {} at {} (captured {} us after; armed {} ms)\n", t.kind, t.detail,
               t.fired_at, t.event_to_capture_us, t.armed_ms);
  }
  if (auto e = exit_info(r))
    for (const auto& line : exit_info_lines(*e)) fmt::print("{}\n", line);
  fmt::print("active object: {}", r.active_obj_name.value_or("(none identified)"));
  if (!r.active_map_kvas.empty()) fmt::print("  ({} map kvas)", r.active_map_kvas.size());
  if (!r.active_map_ids.empty()) {
    std::string ids;
    for (auto id : r.active_map_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    fmt::print("  (map ids {})", ids);
  }
  fmt::print("\n");
  auto groups = report_objects(r);
  fmt::print("maps: {} in {} group{}", r.maps.size(), groups.size(), groups.size() == 1 ? "" : "s");
  if (r.maps_truncated) fmt::print(" ({} more skipped after a stop)", r.maps_truncated);
  if (r.dump_truncated_at_us) fmt::print(" (stopped at {})", human_us(*r.dump_truncated_at_us));
  fmt::print("\n");
  for (const auto& g : groups) {
    std::uint64_t bytes = 0;
    for (std::size_t i : g.maps)
      bytes +=
          std::uint64_t{r.maps[i].value_size} * std::max<std::uint32_t>(r.maps[i].max_entries, 1);
    fmt::print("{} ({} map{}, {} of values declared)\n", g.title(), g.maps.size(),
               g.maps.size() == 1 ? "" : "s", human_bytes(bytes));
    fmt::print("  {:>6}  {:<16} {:<16} {:>9} {:>8}  {}\n", "ID", "NAME", "TYPE", "VALUE", "MAX",
               "CONTENT");
    for (std::size_t i : g.maps) {
      const FailureDumpMap& m = r.maps[i];
      fmt::print("  {:>6}  {:<16} {:<16} {:>9} {:>8}  {}\n",
                 m.map_id ? std::to_string(m.map_id) : "-", m.name, map_type_name(m.map_type),
                 human_bytes(m.value_size), m.max_entries, describe_content(m));
    }
  }
  // What is incomplete, and why: cut values, caps, stops, failed maps.
  if (r.capture && (r.capture->values_truncated || r.capture->stopped_by))
    fmt::print("cut: {} value(s) to the render budget of {} bytes{}\n", r.capture->values_truncated,
               r.capture->max_value_bytes,
               r.capture->stopped_by ? "; capture stopped by " + *r.capture->stopped_by : "");
  std::size_t incomplete = 0;
  for (const auto& m : r.maps) incomplete += m.error.has_value();
  if (incomplete) {
    fmt::print("incomplete maps: {}\n", incomplete);
    for (const auto& m : r.maps)
      if (m.error)
        fmt::print("  {:>6}  {}: {}\n", m.map_id ? std::to_string(m.map_id) : "-", m.name,
                   *m.error);
  }
  print_capped_arrays(r);
  fmt::print("host context:\n");
  fmt::print("  prog_runtime_stats: {} programs\n", r.prog_runtime_stats.size());
  fmt::print("  per_cpu_time: {} cpus\n", r.per_cpu_time.size());
  fmt::print("  per_node_numa: {} nodes\n", r.per_node_numa.size());
  fmt::print("  cgroup_psi: {} cgroups\n", r.cgroup_psi.size());
  fmt::print("  task_enrichments: {} tasks\n", r.task_enrichments.size());
  fmt::print("  event_counter_timeline: {} samples\n", r.event_counter_timeline.size());
  fmt::print("  rq_scx_states: {}  dsq_states: {}  scx_sched_state: {}\n", r.rq_scx_states.size(),
             r.dsq_states.size(), r.scx_sched_state ? "present" : "absent");
  auto reasons = unavailable_reasons(r);
  if (!reasons.empty()) fmt::print("unavailable:\n");
  for (const auto& [name, reason] : reasons) fmt::print("  {}: {}\n", name, *reason);
}

void print_dual(const std::string& file, const DualFailureDumpReport& d) {
  fmt::print("dual dump: {}\n", file);
  fmt::print("early snapshot: {}", d.early ? "present" : "absent");
  if (d.early_skipped_reason) fmt::print(" ({})", *d.early_skipped_reason);
  fmt::print("   early_max_age_jiffies: {}   early_threshold_jiffies: {}\n",
             d.early_max_age_jiffies, d.early_threshold_jiffies);
  fmt::print("== late snapshot (var/map read it by default) ==\n");
  print_summary(file + " (late)", d.late);
  if (d.early) {
    fmt::print("== early snapshot (var/map --early) ==\n");
    print_summary(file + " (early)", *d.early);
  }
}

void print_degraded(const std::string& file, const DegradedFailureDumpReport& d) {
  fmt::print("degraded dump: {}\n", file);
  fmt::print("reason: {}\n", d.reason);
  fmt::print("watchpoint_hit: {}   bss_latch_state: {}   exit_kind: {}   elapsed: {}\n",
             d.watchpoint_hit, d.bss_latch_state,
             d.exit_kind ? std::to_string(*d.exit_kind) : std::string("(none)"),
             human_us(d.elapsed_ms * 1000));
  fmt::print("vcpu_regs: {} vCPUs\n", d.vcpu_regs.size());
  fmt::print("no maps or globals: the VM could not be frozen for a snapshot\n");
}

}  // namespace

void add_show(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "show", "Summarise a dump (single, dual or degraded): maps, contents, active object, gaps");
  struct Opts {
    std::string file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->file, "report file ('-' = stdin)")->required();
  cmd->add_flag("--json", o->json, "the summary as one JSON document (for scripts)");
  cmd->callback([o, &exit_code] {
    auto dump = load_any_dump(o->file);
    if (!dump) {
      exit_code = report_error(Error(
          dump.error().code(), dump.error().message() + kind_hint(o->file, FileKind::Report)));
      return;
    }
    if (o->json)
      fmt::print("{}\n", to_json_text(dump_json(o->file, *dump), true));
    else if (const auto* r = std::get_if<FailureDumpReport>(&*dump))
      print_summary(o->file, *r);
    else if (const auto* d = std::get_if<DualFailureDumpReport>(&*dump))
      print_dual(o->file, *d);
    else
      print_degraded(o->file, std::get<DegradedFailureDumpReport>(*dump));
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
