// SPDX-License-Identifier: Apache-2.0
// scxsnap show FILE: a readable summary of a report.
#include "commands.hpp"
#include "file_kind.hpp"
#include "human.hpp"
#include "scxsnap/report.hpp"

#include <fmt/format.h>
#include <map>

namespace scxsnap::cli {
namespace {

std::string describe_value(const RenderedValue& v) {
  switch (v.kind()) {
    case ValueKind::Struct:
      return fmt::format("struct {} ({} members)", v.type_name().value_or("<anon>"),
                         v.members().size());
    case ValueKind::Array:
      return fmt::format("array[{}]", v.array_len());
    case ValueKind::Truncated:
      return fmt::format("truncated ({} of {} bytes shown in full) {}", v.had(), v.needed(),
                         v.partial() ? describe_value(*v.partial()) : std::string());
    default:
      return std::string(kind_tag(v.kind())) + " " + v.display();
  }
}

std::string describe_content(const FailureDumpMap& m) {
  std::vector<std::string> parts;
  if (m.value) parts.push_back("value: " + describe_value(*m.value));
  if (!m.entries.empty()) parts.push_back(fmt::format("{} entries", m.entries.size()));
  if (!m.array_entries.empty())
    parts.push_back(fmt::format("{} array slots", m.array_entries.size()));
  if (!m.percpu_entries.empty())
    parts.push_back(fmt::format("{} keys x {} cpus", m.percpu_entries.size(),
                                m.percpu_entries.front().per_cpu.size()));
  if (!m.percpu_hash_entries.empty())
    parts.push_back(fmt::format("{} entries x {} cpus", m.percpu_hash_entries.size(),
                                m.percpu_hash_entries.front().per_cpu.size()));
  if (m.ringbuf)
    parts.push_back(fmt::format("ringbuf cons={} prod={} pending={}B", m.ringbuf->consumer_pos,
                                m.ringbuf->producer_pos, m.ringbuf->pending_bytes));
  if (m.stack_trace) parts.push_back(fmt::format("{} stacks", m.stack_trace->entries.size()));
  if (m.fd_array)
    parts.push_back(
        fmt::format("{} of {} slots populated", m.fd_array->populated, m.fd_array->scanned));
  if (m.arena) parts.push_back(fmt::format("arena {} pages captured", m.arena->pages.size()));
  if (m.error) parts.push_back("error: " + *m.error);
  if (parts.empty()) return "(empty)";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The object a map belongs to: the BTF object it shares with the object's
// other maps (captures record btf_id), else its global-section prefix.
struct Group {
  std::string title;
  std::vector<const FailureDumpMap*> maps;
};

std::string_view section_prefix(std::string_view name) {
  for (std::string_view sec : {".bss", ".data", ".rodata", ".kconfig"}) {
    auto at = name.find(sec);
    if (at != std::string_view::npos && at > 0) return name.substr(0, at);
  }
  return {};
}

std::vector<Group> group_by_object(const FailureDumpReport& r) {
  std::map<std::string, Group> by_key;
  std::vector<std::string> order;
  std::map<std::uint32_t, std::string> btf_name;  // btf_id -> longest section prefix
  for (const auto& m : r.maps)
    if (auto p = section_prefix(m.name); m.btf_id && !p.empty())
      if (p.size() > btf_name[m.btf_id].size()) btf_name[m.btf_id] = std::string(p);
  for (const auto& m : r.maps) {
    std::string key, title;
    if (m.btf_id) {
      key = fmt::format("btf:{}", m.btf_id);
      auto it = btf_name.find(m.btf_id);
      title = it != btf_name.end() && !it->second.empty()
                  ? fmt::format("object {} (btf {})", it->second, m.btf_id)
                  : fmt::format("maps sharing btf {}", m.btf_id);
    } else if (auto p = section_prefix(m.name); !p.empty()) {
      key = "obj:" + std::string(p);
      title = fmt::format("object {}", p);
    } else {
      key = "~other";
      title = "other maps (no object identified)";
    }
    auto [it, fresh] = by_key.try_emplace(key);
    if (fresh) {
      it->second.title = title;
      order.push_back(key);
    }
    it->second.maps.push_back(&m);
  }
  std::vector<Group> out;
  for (const auto& k : order)
    if (k != "~other") out.push_back(std::move(by_key[k]));
  if (by_key.count("~other")) out.push_back(std::move(by_key["~other"]));
  return out;
}

// Arrays that kept fewer elements than their declared length because of
// ktstr's 4,096-element cap (not the render budget: those sit inside a
// `truncated` value and are listed with the map's error). Paths use [] for
// any index, so one line stands for all the copies inside outer arrays.
constexpr std::uint64_t kArrayCap = 4096;

void collect_capped(const RenderedValue& v, const std::string& path, std::uint64_t copies,
                    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>& out) {
  switch (v.kind()) {
    case ValueKind::Struct:
      for (const auto& m : v.members())
        collect_capped(
            m.value,
            path.empty() ? std::string(m.name.view()) : path + "." + std::string(m.name.view()),
            copies, out);
      break;
    case ValueKind::Array: {
      if (v.array_len() > kArrayCap && v.elements().size() == kArrayCap) {
        auto& [len, n] = out[path];
        len = v.array_len();
        n += copies;
      }
      // One element stands for its siblings (same type and shape).
      if (!v.elements().empty())
        collect_capped(v.elements().front(), path + "[]", copies * v.elements().size(), out);
      break;
    }
    case ValueKind::Ptr:
      if (v.deref()) collect_capped(*v.deref(), path, copies, out);
      break;
    default:  // Truncated: cut by the budget, said by the map's error
      break;
  }
}

void print_capped_arrays(const FailureDumpReport& r) {
  std::vector<std::string> lines;
  for (const auto& m : r.maps) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> capped;
    if (m.value) collect_capped(*m.value, "", 1, capped);
    if (!m.array_entries.empty() && m.array_entries.front().value)
      collect_capped(*m.array_entries.front().value, "[]", m.array_entries.size(), capped);
    if (!m.entries.empty() && m.entries.front().value)
      collect_capped(*m.entries.front().value, "[]", m.entries.size(), capped);
    for (const auto& [path, lc] : capped)
      lines.push_back(
          fmt::format("  {}: {} (declared {}, {} kept){}", m.name, path, lc.first, kArrayCap,
                      lc.second > 1 ? fmt::format(" in {} places", lc.second) : std::string()));
  }
  if (lines.empty()) return;
  fmt::print("capped arrays (ktstr keeps at most {} elements of an array): {}\n", kArrayCap,
             lines.size());
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) fmt::print("{}\n", lines[i]);
  if (lines.size() > 20) fmt::print("  ... and {} more\n", lines.size() - 20);
}

void print_summary(const std::string& file, const FailureDumpReport& r) {
  fmt::print("report: {}\n", file);
  fmt::print("schema: {}   placeholder: {}\n", r.schema, r.is_placeholder ? "yes" : "no");
  if (r.capture)
    fmt::print("captured: host {} kernel {} at {} in {} by scxsnap {}\n", r.capture->host,
               r.capture->kernel_release, r.capture->captured_at, human_us(r.capture->duration_us),
               r.capture->tool_version);
  fmt::print("active object: {}", r.active_obj_name.value_or("(none identified)"));
  if (!r.active_map_kvas.empty()) fmt::print("  ({} map kvas)", r.active_map_kvas.size());
  if (!r.active_map_ids.empty()) {
    std::string ids;
    for (auto id : r.active_map_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    fmt::print("  (map ids {})", ids);
  }
  fmt::print("\n");
  auto groups = group_by_object(r);
  fmt::print("maps: {} in {} group{}", r.maps.size(), groups.size(), groups.size() == 1 ? "" : "s");
  if (r.maps_truncated) fmt::print(" ({} more skipped after a stop)", r.maps_truncated);
  if (r.dump_truncated_at_us) fmt::print(" (stopped at {})", human_us(*r.dump_truncated_at_us));
  fmt::print("\n");
  for (const auto& g : groups) {
    std::uint64_t bytes = 0;
    for (const FailureDumpMap* m : g.maps)
      bytes += std::uint64_t{m->value_size} * std::max<std::uint32_t>(m->max_entries, 1);
    fmt::print("{} ({} map{}, {} of values declared)\n", g.title, g.maps.size(),
               g.maps.size() == 1 ? "" : "s", human_bytes(bytes));
    fmt::print("  {:>6}  {:<16} {:<16} {:>9} {:>8}  {}\n", "ID", "NAME", "TYPE", "VALUE", "MAX",
               "CONTENT");
    for (const FailureDumpMap* m : g.maps)
      fmt::print("  {:>6}  {:<16} {:<16} {:>9} {:>8}  {}\n",
                 m->map_id ? std::to_string(m->map_id) : "-", m->name, map_type_name(m->map_type),
                 human_bytes(m->value_size), m->max_entries, describe_content(*m));
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
  std::vector<std::pair<const char*, const std::optional<std::string>*>> reasons = {
      {"sdt_alloc", &r.sdt_alloc_unavailable},
      {"prog_runtime_stats", &r.prog_runtime_stats_unavailable},
      {"per_node_numa", &r.per_node_numa_unavailable},
      {"task_enrichments", &r.task_enrichments_unavailable},
      {"scx_walker", &r.scx_walker_unavailable}};
  bool any = false;
  for (const auto& [name, reason] : reasons) {
    if (!*reason) continue;
    if (!any) fmt::print("unavailable:\n");
    any = true;
    fmt::print("  {}: {}\n", name, **reason);
  }
}

}  // namespace

void add_show(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("show", "Summarise a report: maps, contents, active object, gaps");
  auto file = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "report file ('-' = stdin)")->required();
  cmd->callback([file, &exit_code] {
    auto report = load_report(*file);
    if (!report) {
      exit_code = report_error(Error(
          report.error().code(), report.error().message() + kind_hint(*file, FileKind::Report)));
      return;
    }
    print_summary(*file, *report);
    exit_code = kOk;
  });
}

}  // namespace scxsnap::cli
