// SPDX-License-Identifier: Apache-2.0
// Snapshot: the map view filter, var/vars, active(), live_var*, map() and the
// first-class accessors (spec §3.1, §4).
#include "scxsnap/snapshot.hpp"

#include "field_walk.hpp"
#include "rust_debug.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

namespace scxsnap {
namespace {

constexpr std::size_t kKernelNameMax = 15;  // BPF_OBJ_NAME_LEN - 1

std::string_view obj_prefix(std::string_view name) {
  std::size_t dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
}
bool has_dot(std::string_view name) {
  return name.find('.') != std::string_view::npos;
}

// The section part of "<obj>.<section>" when it is exactly bss/data/rodata.
int exact_section(std::string_view name) {
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return -1;
  std::string_view rest = name.substr(dot + 1);
  if (rest == "bss") return 0;
  if (rest == "data") return 1;
  if (rest == "rodata") return 2;
  return -1;
}

// scxsnap's grouping of kernel-truncated global-section names (ARCHITECTURE
// §9): a prefix whose map name is exactly 15 characters may have been cut, so
// it belongs to the longest other captured prefix it starts.
std::string_view canonical_obj(std::string_view name,
                               const std::vector<std::string_view>& prefixes) {
  std::string_view p = obj_prefix(name);
  if (p.empty() || name.size() != kKernelNameMax || !is_global_section_map(name)) return p;
  std::string_view best = p;
  for (std::string_view q : prefixes)
    if (q.size() > best.size() && q.starts_with(p)) best = q;
  return best;
}

std::vector<std::string_view> section_prefixes(const FailureDumpReport& r) {
  // Only prefixes that could absorb a cut name matter: longer than the cut one.
  std::vector<std::string_view> out;
  std::unordered_map<std::string_view, bool> seen;
  for (const auto& m : r.maps) {
    if (!is_global_section_map(m.name)) continue;
    std::string_view p = obj_prefix(m.name);
    if (!p.empty() && seen.emplace(p, true).second) out.push_back(p);
  }
  return out;
}

// Does `name` belong to object `obj` (before any whitelist)?
bool belongs_to(std::string_view name, std::string_view obj) {
  if (!has_dot(name)) return false;
  std::string_view p = obj_prefix(name);
  if (p == obj) return true;
  return !p.empty() && name.size() == kKernelNameMax && is_global_section_map(name) &&
         obj.size() > p.size() && obj.starts_with(p);
}

std::string multi_copy_reason(std::string_view obj, const std::array<std::size_t, 3>& counts) {
  static constexpr std::array<std::string_view, 3> kSections = {"bss", "data", "rodata"};
  std::string parts;
  for (std::size_t i = 0; i < 3; ++i) {
    if (counts[i] <= 1) continue;
    if (!parts.empty()) parts += ", ";
    parts += fmt::format("{}.{} × {}", obj, kSections[i], counts[i]);
  }
  return fmt::format(
      "snapshot has multiple same-name copies of {}'s global-section maps ({}) and the principled "
      "*scx_root walker did not publish an active_map_kvas whitelist to disambiguate (transient "
      "swap window where the accessor-init worker has not yet republished, or the walker is "
      "unavailable on this kernel build) — use `series.live_bpf_vars_via([\"name\"], "
      "pickers::max_by_sum_u64)` for multi-variable counter co-pick, or "
      "`Snapshot::live_var_via(name, pickers::max_by_counter_value)` for a single-counter pick, to "
      "pick by counter activity",
      obj, parts);
}

SnapshotError placeholder_error() {
  return errors::PlaceholderSnapshot{};
}

}  // namespace

bool is_global_section_map(std::string_view name) {
  return name.ends_with(".bss") || name.ends_with(".data") || name.ends_with(".rodata");
}

// ---- the view filter -----------------------------------------------------------

bool Snapshot::admitted(const FailureDumpMap& m) const {
  if (m.map_kva != 0 && std::find(kvas_.begin(), kvas_.end(), m.map_kva) != kvas_.end())
    return true;
  return m.map_id != 0 && std::find(ids_.begin(), ids_.end(), m.map_id) != ids_.end();
}

bool Snapshot::in_view(const FailureDumpMap& m) const {
  if (!active_obj_) return true;
  if (!belongs_to(m.name, *active_obj_)) return false;
  return !whitelist_active() || admitted(m);
}

std::optional<SnapshotError> Snapshot::excluded_filter_err(std::string_view requested) const {
  if (!active_obj_ || !whitelist_active()) return std::nullopt;
  std::vector<ExcludedMap> excluded;
  for (const auto& m : report_->maps) {
    if (!belongs_to(m.name, *active_obj_)) continue;
    if (admitted(m)) return std::nullopt;
    excluded.push_back(ExcludedMap{m.name, m.map_kva, m.map_id});
  }
  if (excluded.empty()) return std::nullopt;
  return SnapshotError(errors::ActiveFilterExcludedMaps{
      std::string(requested), std::string(*active_obj_), std::move(excluded),
      std::vector<std::uint64_t>(kvas_.begin(), kvas_.end())});
}

std::vector<std::string> Snapshot::global_section_names() const {
  std::vector<std::string> out;
  for (const auto& m : report_->maps)
    if (is_global_section_map(m.name)) out.push_back(m.name);
  return out;
}

std::size_t Snapshot::map_count() const {
  return static_cast<std::size_t>(std::count_if(report_->maps.begin(), report_->maps.end(),
                                                [&](const auto& m) { return in_view(m); }));
}

// ---- lookups -------------------------------------------------------------------------

SnapshotResult<SnapshotMap> Snapshot::map(std::string_view name) const {
  if (report_->is_placeholder) return placeholder_error();
  for (const auto& m : report_->maps)
    if (m.name == name && in_view(m)) return SnapshotMap(m);
  if (auto e = excluded_filter_err(name)) return *e;
  std::vector<std::string> available;
  for (const auto& m : report_->maps)
    if (in_view(m)) available.push_back(m.name);
  return SnapshotError(errors::MapNotFound{std::string(name), std::move(available)});
}

std::vector<std::pair<std::string_view, SnapshotField>> Snapshot::vars(
    std::string_view name) const {
  std::vector<std::pair<std::string_view, SnapshotField>> out;
  for (const auto& m : report_->maps) {
    if (!m.value || !is_global_section_map(m.name) || !in_view(m)) continue;
    if (const RenderedValue* v = detail::lookup_member(*m.value, name))
      out.emplace_back(m.name, SnapshotField::of(*v));
  }
  return out;
}

// Maps whose value holds globals outside the three standard sections:
// ".data.NAME", ".rodata.NAME", "<obj>.kconfig", and an arena's `__arena`
// globals (its `.addr_space.1` section).
bool is_extension_section_map(const FailureDumpMap& m) {
  constexpr std::uint32_t kArena = 33;  // BPF_MAP_TYPE_ARENA
  const std::string_view name = m.name;
  return name.starts_with(".data.") || name.starts_with(".rodata.") || name.ends_with(".kconfig") ||
         m.map_type == kArena;
}

// An extension section belongs to a view's object when it shares the BTF
// object of one of the view's standard sections (".data.NAME" carries no
// object prefix at all).
bool Snapshot::extension_in_view(const FailureDumpMap& m) const {
  if (!active_obj_) return true;
  if (belongs_to(m.name, *active_obj_)) return !whitelist_active() || admitted(m);
  if (m.btf_id == 0) return false;
  return std::any_of(report_->maps.begin(), report_->maps.end(), [&](const FailureDumpMap& s) {
    return s.btf_id == m.btf_id && is_global_section_map(s.name) && in_view(s);
  });
}

std::vector<std::pair<std::string_view, SnapshotField>> Snapshot::extension_vars(
    std::string_view name) const {
  std::vector<std::pair<std::string_view, SnapshotField>> out;
  for (const auto& m : report_->maps) {
    if (!m.value || !is_extension_section_map(m) || !extension_in_view(m)) continue;
    if (const RenderedValue* v = detail::lookup_member(*m.value, name))
      out.emplace_back(m.name, SnapshotField::of(*v));
  }
  return out;
}

SnapshotField Snapshot::var(std::string_view name) const {
  if (report_->is_placeholder) return SnapshotField::missing(placeholder_error());
  auto hits = vars(name);
  if (hits.size() == 1) return hits.front().second;
  if (hits.size() > 1) {
    if (!active_obj_) {
      if (auto act = active(); act.has_value()) return act->var(name);
    }
    std::vector<std::string> found_in;
    found_in.reserve(hits.size());
    for (const auto& [map_name, f] : hits) found_in.emplace_back(map_name);
    return SnapshotField::missing(errors::AmbiguousVar{std::string(name), std::move(found_in)});
  }
  if (auto e = excluded_filter_err(name)) return SnapshotField::missing(*e);
  for (const auto& m : report_->maps) {
    if (!is_global_section_map(m.name) || !in_view(m)) continue;
    if (!m.value && m.error)
      return SnapshotField::missing(errors::MapRenderIncomplete{m.name, *m.error});
  }
  // scxsnap extension, only where ktstr finds nothing: ".data.NAME",
  // ".rodata.NAME" and "<obj>.kconfig" sections and arenas hold globals too.
  auto more = extension_vars(name);
  if (more.size() == 1) return more.front().second;
  if (more.size() > 1) {
    if (!active_obj_) {
      if (auto act = active(); act.has_value()) {
        auto picked = act->extension_vars(name);
        if (picked.size() == 1) return picked.front().second;
      }
    }
    std::vector<std::string> found_in;
    found_in.reserve(more.size());
    for (const auto& [map_name, f] : more) found_in.emplace_back(map_name);
    return SnapshotField::missing(errors::AmbiguousVar{std::string(name), std::move(found_in)});
  }
  // Sort and dedup views; copy only the unique names.
  std::vector<std::string_view> names;
  for (const auto& m : report_->maps) {
    if (!is_global_section_map(m.name) || !in_view(m) || !m.value) continue;
    if (m.value->kind() != ValueKind::Struct) continue;
    for (const auto& mem : m.value->members()) names.push_back(mem.name.view());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return SnapshotField::missing(
      errors::VarNotFound{std::string(name), std::vector<std::string>(names.begin(), names.end())});
}

SnapshotResult<Snapshot> Snapshot::active() const {
  if (report_->is_placeholder) return placeholder_error();
  const auto prefixes = section_prefixes(*report_);
  std::vector<std::string_view> objs;  // first-seen order
  std::unordered_map<std::string_view, std::size_t> obj_index;
  std::vector<std::array<std::size_t, 3>> counts;
  for (const auto& m : report_->maps) {
    if (!is_global_section_map(m.name)) continue;
    std::string_view obj = canonical_obj(m.name, prefixes);
    if (obj.empty()) continue;
    auto [it, inserted] = obj_index.try_emplace(obj, objs.size());
    std::size_t idx = it->second;
    if (inserted) {
      objs.push_back(obj);
      counts.push_back({0, 0, 0});
    }
    if (int s = exact_section(m.name); s >= 0) ++counts[idx][static_cast<std::size_t>(s)];
  }
  auto multi = [](const std::array<std::size_t, 3>& c) { return c[0] > 1 || c[1] > 1 || c[2] > 1; };
  auto filtered = [&](std::string_view obj, bool with_whitelist) {
    Snapshot s(*report_);
    s.active_obj_ = obj;
    if (with_whitelist) {
      s.kvas_ = report_->active_map_kvas;
      s.ids_ = report_->active_map_ids;
    }
    return s;
  };

  if (report_->active_obj_name) {
    auto it = std::find(objs.begin(), objs.end(), std::string_view(*report_->active_obj_name));
    if (it != objs.end()) {
      std::size_t idx = static_cast<std::size_t>(it - objs.begin());
      if (!report_->active_map_kvas.empty() || !report_->active_map_ids.empty())
        return filtered(*it, true);
      if (multi(counts[idx]))
        return SnapshotError(errors::NoActiveScheduler{multi_copy_reason(*it, counts[idx])});
      return filtered(*it, false);
    }
  }
  if (objs.empty())
    return SnapshotError(
        errors::NoActiveScheduler{"snapshot has no global-section BPF maps (no scheduler attached, "
                                  "or capture did not include "
                                  "bss/data/rodata)"});
  if (objs.size() == 1) {
    if (multi(counts[0]))
      return SnapshotError(errors::NoActiveScheduler{multi_copy_reason(objs[0], counts[0])});
    return filtered(objs[0], false);
  }
  std::vector<std::string> names(objs.begin(), objs.end());
  return SnapshotError(errors::NoActiveScheduler{fmt::format(
      "snapshot has {} BPF objects with global-section maps ({}) and the principled *scx_root "
      "walker could not identify the active obj at capture time (scx_root unresolved, no matching "
      "struct_ops map, or the matched obj has no global-section maps in this capture) — use "
      "Snapshot::vars(name) to enumerate every copy or Snapshot::map(\"<obj>.<section>\") to "
      "address a specific scheduler's bss directly",
      objs.size(), detail::rust_debug_list(names))});
}

SnapshotField Snapshot::live_var(std::string_view name) const {
  auto act = active();
  if (!act) return SnapshotField::missing(act.error());
  return act->var(name);
}

SnapshotField Snapshot::live_var_via(std::string_view name, const VarPicker& picker) const {
  if (report_->is_placeholder) return SnapshotField::missing(placeholder_error());
  auto candidates = vars(name);
  if (candidates.empty()) {
    if (auto e = excluded_filter_err(name)) return SnapshotField::missing(*e);
    return SnapshotField::missing(errors::VarNotFound{std::string(name), global_section_names()});
  }
  std::optional<std::size_t> pick = picker(candidates);
  if (!pick)
    return SnapshotField::missing(errors::ProjectionFailed{
        fmt::format("live_var_via picker for '{}' returned None (no candidate matched the supplied "
                    "disambiguator)",
                    name)});
  if (*pick >= candidates.size())
    return SnapshotField::missing(errors::ProjectionFailed{
        fmt::format("live_var_via picker returned index {} out of range (candidate count = {})",
                    *pick, candidates.size())});
  return candidates[*pick].second;
}

SnapshotResult<std::vector<SnapshotField>> Snapshot::live_vars_via(
    std::span<const std::string_view> names, const RowPicker& picker) const {
  if (report_->is_placeholder) return placeholder_error();
  if (names.empty())
    return SnapshotError(errors::ProjectionFailed{
        "live_vars_via called with an empty names slice — co-pick requires at least one name"});
  std::vector<std::pair<std::string_view, std::vector<SnapshotField>>> rows;
  for (const auto& m : report_->maps) {
    if (!m.value || !is_global_section_map(m.name) || !in_view(m)) continue;
    std::vector<SnapshotField> fields;
    for (std::string_view n : names) {
      const RenderedValue* v = detail::lookup_member(*m.value, n);
      if (!v) break;
      fields.push_back(SnapshotField::of(*v));
    }
    if (fields.size() == names.size()) rows.emplace_back(m.name, std::move(fields));
  }
  std::string joined;
  for (std::string_view n : names) joined += (joined.empty() ? "" : ", ") + std::string(n);
  if (rows.empty()) {
    std::string requested = "[" + joined + "]";
    if (auto e = excluded_filter_err(requested)) return *e;
    return SnapshotError(errors::VarNotFound{requested, global_section_names()});
  }
  std::optional<std::size_t> pick = picker(rows);
  if (!pick)
    return SnapshotError(errors::ProjectionFailed{fmt::format(
        "live_vars_via picker for [{}] returned None (no candidate matched the supplied "
        "disambiguator)",
        joined)});
  if (*pick >= rows.size())
    return SnapshotError(errors::ProjectionFailed{
        fmt::format("live_vars_via picker returned index {} out of range (candidate count = {})",
                    *pick, rows.size())});
  return std::move(rows[*pick].second);
}

// ---- first-class accessors -------------------------------------------------------------

const ScxSchedState* Snapshot::scx_sched_state() const {
  return report_->scx_sched_state ? &*report_->scx_sched_state : nullptr;
}
const ProbeBssCounters* Snapshot::probe_counters() const {
  return report_->probe_counters ? &*report_->probe_counters : nullptr;
}

template <class T, class Pred>
static const T* first_where(const std::vector<T>& v, Pred&& pred) {
  auto it = std::find_if(v.begin(), v.end(), pred);
  return it == v.end() ? nullptr : &*it;
}

const PerCpuTimeStats* Snapshot::per_cpu_time_at(std::uint32_t cpu) const {
  return first_where(report_->per_cpu_time, [&](const auto& r) { return r.cpu == cpu; });
}
const PerNodeNumaStats* Snapshot::per_node_numa_at(std::uint32_t node) const {
  return first_where(report_->per_node_numa, [&](const auto& r) { return r.node == node; });
}
const TaskEnrichment* Snapshot::task_enrichment_by_pid(std::int32_t pid) const {
  return first_where(report_->task_enrichments, [&](const auto& r) { return r.pid == pid; });
}
const ProgRuntimeStats* Snapshot::prog_runtime_stats_by_name(std::string_view name) const {
  return first_where(report_->prog_runtime_stats, [&](const auto& r) { return r.name == name; });
}

static std::optional<std::string_view> opt_view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}
std::optional<std::string_view> Snapshot::scx_walker_unavailable() const {
  return opt_view(report_->scx_walker_unavailable);
}
std::optional<std::string_view> Snapshot::task_enrichments_unavailable() const {
  return opt_view(report_->task_enrichments_unavailable);
}
std::optional<std::string_view> Snapshot::prog_runtime_stats_unavailable() const {
  return opt_view(report_->prog_runtime_stats_unavailable);
}
std::optional<std::string_view> Snapshot::per_node_numa_unavailable() const {
  return opt_view(report_->per_node_numa_unavailable);
}
std::optional<std::string_view> Snapshot::sdt_alloc_unavailable() const {
  return opt_view(report_->sdt_alloc_unavailable);
}

}  // namespace scxsnap
