// SPDX-License-Identifier: Apache-2.0
#include "snapshot_output.hpp"

#include "commands.hpp"
#include "file_kind.hpp"
#include "report/nearest_names.hpp"
#include "scxsnap/objects.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

namespace scxsnap::cli {
namespace {

constexpr std::size_t kListMax = 12;

// Nearest names first; at most kListMax of them and a count of the rest.
std::vector<std::string> cut_list(std::string_view want, const std::vector<std::string>& all) {
  if (all.size() <= kListMax) return all;
  auto out = detail::nearest_names(want, all, kListMax);
  out.push_back(fmt::format("... and {} more", all.size() - out.size()));
  return out;
}

std::string ambiguity_hint(std::string_view name, const FailureDumpReport& r) {
  std::string list;
  std::size_t shown = 0, more = 0;
  for (const auto& m : r.maps) {
    if (m.map_id == 0 && m.btf_id == 0) continue;
    if (!m.value || !m.value->member(name)) continue;
    if (shown == kListMax) {
      ++more;
      continue;
    }
    ++shown;
    list += fmt::format("\n  {} (--map-id {}{})", m.name, m.map_id,
                        m.btf_id ? fmt::format(", --obj btf:{}", m.btf_id) : std::string());
  }
  if (more) list += fmt::format("\n  ... and {} more (scxsnap show lists them)", more);
  if (list.empty())
    return "\nhint: pick one with --obj NAME or --map-id ID (scxsnap show lists them)";
  return "\nhint: pick one with a flag:" + list;
}

// The library's ambiguity text is ktstr's, with advice for C++ callers; a
// command-line user gets the sections, each name once with its count.
std::string ambiguity_text(const errors::AmbiguousVar& a) {
  std::vector<std::pair<std::string, std::size_t>> seen;
  for (const auto& m : a.found_in) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == m; });
    if (it == seen.end())
      seen.emplace_back(m, 1);
    else
      ++it->second;
  }
  std::string list;
  for (const auto& [m, n] : seen)
    list +=
        fmt::format("{}{}{}", list.empty() ? "" : ", ", m, n > 1 ? fmt::format(" × {}", n) : "");
  return fmt::format("global '{}' is in {} sections ({}): the report holds several objects",
                     a.requested, a.found_in.size(), list);
}

// The library's text counts objects by their cut names and advises C++
// callers; a command-line user gets every object (by BTF id: two schedulers
// whose names the kernel cut alike are two) and the flag that picks one.
std::string no_active_text(const errors::NoActiveScheduler& e, const FailureDumpReport* r) {
  std::vector<std::string> objects;
  if (r)
    for (const auto& o : report_objects(*r)) {
      if (o.key.empty()) continue;
      const bool globals = std::any_of(o.maps.begin(), o.maps.end(), [&](std::size_t i) {
        return is_global_section_map(r->maps[i].name);
      });
      if (globals)
        objects.push_back(o.btf_id ? fmt::format("{} (btf:{})", o.name, o.btf_id) : o.name);
    }
  if (objects.size() >= 2) {
    std::string list;
    for (const auto& o : cut_list("", objects)) list += (list.empty() ? "" : ", ") + o;
    return fmt::format(
        "no active scheduler in this report: it holds {} BPF objects with global sections ({}) "
        "and none was identified as the active one at capture time\nhint: name one with --obj "
        "NAME or --obj btf:ID (scxsnap show lists them)",
        objects.size(), list);
  }
  std::string reason = e.reason;
  if (auto advice = reason.find(" \u2014 use Snapshot::"); advice != std::string::npos)
    reason.erase(advice);
  return "no active scheduler in this report: " + reason;
}

}  // namespace

std::optional<std::vector<FailureDumpReport>> load_walkable(const std::string& file,
                                                            std::initializer_list<DumpHalf> halves,
                                                            int& exit_code,
                                                            const NativeSelection& sel) {
  auto dump = load_any_dump(file, sel);
  if (!dump) {
    exit_code = report_error(
        Error(dump.error().code(), dump.error().message() + kind_hint(file, FileKind::Report)));
    return std::nullopt;
  }
  std::vector<FailureDumpReport*> parts;
  for (DumpHalf h : halves) {
    auto r = report_of(*dump, h);
    if (!r) {
      exit_code = lookup_error(r.error());
      return std::nullopt;
    }
    parts.push_back(*r);
  }
  std::vector<FailureDumpReport> out;
  out.reserve(parts.size());
  for (FailureDumpReport* p : parts) out.push_back(std::move(*p));  // the dump is ours
  return out;
}

std::optional<FailureDumpReport> load_walkable(const std::string& file, DumpHalf half,
                                               int& exit_code, const NativeSelection& sel) {
  auto one = load_walkable(file, {half}, exit_code, sel);
  if (!one) return std::nullopt;
  return std::move(one->front());
}

Result<void> narrow_report(FailureDumpReport& report, const MapScope& scope) {
  std::vector<bool> keep(report.maps.size(), true);
  if (!scope.obj.empty()) {
    SCXSNAP_TRY(std::vector<std::size_t> ids, object_maps(report, scope.obj));
    std::fill(keep.begin(), keep.end(), false);
    for (std::size_t i : ids) keep[i] = true;
  }
  if (scope.map_id) {
    bool any = false;
    for (std::size_t i = 0; i < report.maps.size(); ++i) {
      keep[i] = keep[i] && report.maps[i].map_id == *scope.map_id;
      any = any || keep[i];
    }
    if (!any)
      return Error(ErrorCode::NotFound,
                   fmt::format("no map with id {} in the report{} (scxsnap show lists the ids)",
                               *scope.map_id, scope.obj.empty() ? "" : " among --obj's maps"));
  }
  std::vector<FailureDumpMap> kept;
  for (std::size_t i = 0; i < report.maps.size(); ++i)
    if (keep[i]) kept.push_back(std::move(report.maps[i]));
  report.maps = std::move(kept);
  return {};
}

namespace {

// Whether `v` holds an array cut short of what it declares (and of the
// capture's element cap): the mark of a value the render budget cut.
bool holds_cut_array(const RenderedValue& v, std::uint64_t cap) {
  switch (v.kind()) {
    case ValueKind::Array: {
      const auto n = v.elements().size();
      if (n < v.array_len() && n < cap) return true;
      return std::any_of(v.elements().begin(), v.elements().end(),
                         [&](const RenderedValue& e) { return holds_cut_array(e, cap); });
    }
    case ValueKind::Struct:
      return std::any_of(v.members().begin(), v.members().end(),
                         [&](const RenderedMember& m) { return holds_cut_array(m.value, cap); });
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> cut_section_note(const FailureDumpReport& r, std::string_view var,
                                            const RenderedValue& v) {
  const std::uint64_t cap =
      r.capture && r.capture->max_array_elements ? r.capture->max_array_elements : 4096;
  for (const auto& m : r.maps) {
    if (!m.value || m.value->kind() != ValueKind::Truncated || !m.value->partial()) continue;
    if (!is_global_section_map(m.name) || !m.value->partial()->member(var)) continue;
    if (!holds_cut_array(v, cap)) return std::nullopt;
    return fmt::format(
        "note: {} was cut to the render budget ({} of {} bytes shown in full), so '{}' is shown "
        "in part (an array holds fewer elements than it declares); capture with "
        "--max-value-bytes 0, or as a native snapshot (--format native), to read it whole",
        m.name, m.value->had(), m.value->needed(), var);
  }
  return std::nullopt;
}

int snapshot_error_exit(const SnapshotError& e, const FailureDumpReport* report) {
  std::string text;
  if (const auto* v = e.get_if<errors::VarNotFound>())
    text = SnapshotError(errors::VarNotFound{v->requested, cut_list(v->requested, v->available)})
               .message();
  else if (const auto* m = e.get_if<errors::MapNotFound>())
    text = SnapshotError(errors::MapNotFound{m->requested, cut_list(m->requested, m->available)})
               .message();
  else if (const auto* f = e.get_if<errors::FieldNotFound>())
    text = SnapshotError(errors::FieldNotFound{f->requested, f->walked, f->component,
                                               cut_list(f->component, f->available)})
               .message();
  else if (const auto* a = e.get_if<errors::AmbiguousVar>())
    text = ambiguity_text(*a);
  else if (const auto* n = e.get_if<errors::NoActiveScheduler>())
    text = no_active_text(*n, report);
  else
    text = e.message();
  if (const auto* a = e.get_if<errors::AmbiguousVar>(); a && report)
    text += ambiguity_hint(a->requested, *report);
  std::fprintf(stderr, "scxsnap: %s\n", text.c_str());
  return e.is<errors::EmptyPathComponent>() ? kBadInput : kAbsent;
}

std::string value_text(const RenderedValue& v, const OutputStyle& style) {
  if (style.json) return to_json(v);
  return v.display(DisplayOptions{!style.raw, true});
}

int print_field(const SnapshotField& f, const OutputStyle& style, std::string_view prefix,
                const FailureDumpReport* report) {
  if (const SnapshotError* e = f.error()) return snapshot_error_exit(*e, report);
  std::string text;
  if (const RenderedValue* v = f.raw())
    text = value_text(*v, style);
  else
    text = std::to_string(f.as_u64().value_or(0));  // a per-CPU array key
  fmt::print("{}{}\n", prefix, text);
  return kOk;
}

}  // namespace scxsnap::cli
