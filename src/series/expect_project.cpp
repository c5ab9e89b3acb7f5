// SPDX-License-Identifier: Apache-2.0
// One projection per assertion argument: a dispatcher on the projection's
// prefix and one reader per kind (var, map, stats, cpu), each giving every
// row's value with the class it was rendered as.
#include "series/expect_project.hpp"

#include "report/section_names.hpp"
#include "scxsnap/objects.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <functional>
#include <map>

namespace scxsnap::detail {
namespace {

// The narrowest class that holds the value: unsigned, then signed, then
// float; none is the unsigned reading's error (what a user asked for first).
template <class U, class I, class F>
NumberAt classify(U&& as_u, I&& as_i, F&& as_f) {
  auto u = as_u();
  if (u) return Number{ValueClass::Unsigned, *u, 0, static_cast<double>(*u), false};
  if (auto i = as_i()) return Number{ValueClass::Signed, 0, *i, static_cast<double>(*i), false};
  if (auto f = as_f()) return Number{ValueClass::Float, 0, 0, *f, false};
  return std::unexpected(u.error());
}

template <class Field>
NumberAt number_of(const Field& f, bool as_bool) {
  if (as_bool) {
    auto b = f.as_bool();
    if (!b) return std::unexpected(b.error());
    return Number{ValueClass::Bool, *b ? 1u : 0u, *b ? 1 : 0, *b ? 1.0 : 0.0, *b};
  }
  return classify([&] { return f.as_u64(); }, [&] { return f.as_i64(); },
                  [&] { return f.as_f64(); });
}

SnapshotError placeholder(const SampleRow& r) {
  return errors::PlaceholderSample{r.tag,
                                   r.report.scx_walker_unavailable.value_or("placeholder report")};
}

Error bad(std::string_view proj, std::string_view what) {
  return Error(ErrorCode::InvalidArgument, fmt::format("projection '{}': {}", proj, what));
}

// ---- var: ------------------------------------------------------------------------------

// NAME (a dotted path: its first component is the global) in the global
// sections of one object.
SnapshotField var_in_object(const FailureDumpReport& r, const ReportObject& o,
                            std::string_view name) {
  const std::string_view head = name.substr(0, name.find_first_of(".["));
  std::vector<std::string> globals;  // what the object does define, for the error
  for (std::size_t i : o.maps) {
    const FailureDumpMap& m = r.maps[i];
    if (!m.value || !detail::is_section_map_name(m.name)) continue;
    SnapshotField root = SnapshotField::of(*m.value);
    if (root.get(head).is_present()) return root.get(name);
    if (m.value->kind() == ValueKind::Struct)
      for (const auto& mem : m.value->members()) globals.emplace_back(mem.name.view());
  }
  std::sort(globals.begin(), globals.end());
  globals.erase(std::unique(globals.begin(), globals.end()), globals.end());
  return SnapshotField::missing(errors::VarNotFound{std::string(name), std::move(globals)});
}

// How an object is named in var:OBJ/NAME: its name when no other object
// shares it, else its key (btf:ID).
std::string object_label(const std::vector<ReportObject>& all, const ReportObject& o) {
  if (o.name.empty()) return o.key;
  auto same = std::count_if(all.begin(), all.end(),
                            [&](const ReportObject& x) { return x.name == o.name; });
  return same == 1 ? o.name : o.key;
}

// NAME where no scheduler is active: the one object that defines it.
SnapshotField var_without_active(const FailureDumpReport& r, std::string_view name,
                                 std::vector<std::string>& from) {
  const auto objects = report_objects(r);
  std::vector<std::pair<std::string, SnapshotField>> found;
  for (const auto& o : objects) {
    if (o.key.empty()) continue;
    SnapshotField f = var_in_object(r, o, name);
    if (f.is_present() || !f.error()->is<errors::VarNotFound>())
      found.emplace_back(object_label(objects, o), std::move(f));
  }
  if (found.size() == 1) {
    from.push_back(found.front().first);
    return std::move(found.front().second);
  }
  if (found.empty()) return Snapshot(r).var(name);  // the library's VarNotFound
  std::string list;
  for (const auto& [label, f] : found)
    list += fmt::format("{}var:{}/{}", list.empty() ? "" : ", ", label, name);
  return SnapshotField::missing(errors::ProjectionFailed{
      fmt::format("'{}' is defined by {} objects and none is the active scheduler; name one: {}",
                  name, found.size(), list)});
}

Result<Projection> project_var(const SampleSeries& s, std::string_view proj, bool as_bool) {
  const std::string_view spec = proj.substr(4);
  const std::size_t slash = spec.find('/');
  Projection out{std::string(proj), {}, {}};
  if (slash != std::string_view::npos) {
    const std::string_view obj = spec.substr(0, slash), name = spec.substr(slash + 1);
    for (const auto& r : s.rows()) {
      if (r.report.is_placeholder) {
        out.values.push_back(std::unexpected(placeholder(r)));
        continue;
      }
      auto o = find_object(r.report, obj);
      if (!o) {  // gone from this sample, or never there (then a usage error)
        out.values.push_back(
            std::unexpected(SnapshotError(errors::ProjectionFailed{o.error().message()})));
        continue;
      }
      out.values.push_back(number_of(var_in_object(r.report, *o, name), as_bool));
    }
    return out;
  }
  // The active object's global (ktstr's live_var with its phase gate); where
  // no object is active, the one object that defines the name.
  // NAME[.path][N]...: the global, then the path inside it.
  const std::size_t cut = spec.find_first_of(".[");
  const std::string_view head = spec.substr(0, cut);
  std::string_view rest = cut == std::string_view::npos ? std::string_view() : spec.substr(cut);
  if (rest.starts_with('.')) rest.remove_prefix(1);
  std::vector<SnapshotField> fields = s.live_var_fields(head);
  std::map<std::string, std::size_t> from;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const SnapshotError* e = fields[k].error();
    if (e && e->is<errors::NoActiveScheduler>()) {
      std::vector<std::string> picked;
      fields[k] = var_without_active(s.rows()[k].report, spec, picked);
      for (auto& p : picked) ++from[p];
    } else if (!e && !rest.empty()) {
      fields[k] = fields[k].get(rest);
    }
    out.values.push_back(number_of(fields[k], as_bool));
  }
  for (const auto& [label, n] : from)
    out.hints.push_back(fmt::format(
        "no scheduler is active in {} sample(s): var:{} was read from object {} (var:{}/{})", n,
        spec, label, label, spec));
  return out;
}

// ---- map: ------------------------------------------------------------------------------

// The map named by the longest dotted prefix of `spec` that some row has.
std::string resolve_map(const SampleSeries& s, std::string_view spec, std::string_view& rest) {
  std::size_t cut = spec.find_first_of("[@");
  std::string_view head = spec.substr(0, cut);
  std::string best;
  for (const auto& r : s.rows())
    for (const auto& m : r.report.maps)
      if ((head == m.name || head.starts_with(m.name + ".")) && m.name.size() > best.size())
        best = m.name;
  if (best.empty()) best = std::string(head.substr(0, head.find('.')));
  rest = spec.substr(best.size());
  return best;
}

struct MapSpec {
  std::string map, field;
  std::size_t index = 0;
  std::optional<std::size_t> cpu;
  char reducer = 0;  // 's'um, 'M'ax, 'm'in
};

Result<MapSpec> parse_map_spec(const SampleSeries& s, std::string_view proj) {
  MapSpec ms;
  std::string_view rest;
  ms.map = resolve_map(s, proj.substr(4), rest);
  if (rest.starts_with('[')) {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos ||
        std::from_chars(rest.data() + 1, rest.data() + close, ms.index).ptr != rest.data() + close)
      return bad(proj, "expected [INDEX]");
    rest.remove_prefix(close + 1);
  }
  if (rest.starts_with('@')) {
    std::size_t end = std::min(rest.find('.'), rest.size());
    std::size_t cpu = 0;
    if (std::from_chars(rest.data() + 1, rest.data() + end, cpu).ptr != rest.data() + end ||
        end == 1)
      return bad(proj, "expected @CPU");
    ms.cpu = cpu;
    rest.remove_prefix(end);
  }
  if (rest.starts_with('.'))
    ms.field = std::string(rest.substr(1));
  else if (!rest.empty())
    return bad(proj, "expected '.FIELD' after the map name");
  for (auto [name, code] : {std::pair{"cpu_sum(", 's'}, {"cpu_max(", 'M'}, {"cpu_min(", 'm'}}) {
    std::string_view f = ms.field;
    if (!f.starts_with(name) || !f.ends_with(")")) continue;
    std::string inner(f.substr(8, f.size() - 9));
    if (inner == ".") inner.clear();  // cpu_sum(.): the value itself, as `map --sum .`
    ms.field = std::move(inner);
    ms.reducer = code;
  }
  return ms;
}

NumberAt reduce(const SnapshotEntry& e, const MapSpec& ms) {
  const std::string& p = ms.field;
  switch (ms.reducer) {
    case 's':
      return classify([&] { return e.cpu_sum_u64(p); }, [&] { return e.cpu_sum_i64(p); },
                      [&] { return e.cpu_sum_f64(p); });
    case 'M':
      return classify([&] { return e.cpu_max_u64(p); }, [&] { return e.cpu_max_i64(p); },
                      [&] { return e.cpu_max_f64(p); });
    default:
      return classify([&] { return e.cpu_min_u64(p); }, [&] { return e.cpu_min_i64(p); },
                      [&] { return e.cpu_min_f64(p); });
  }
}

Result<Projection> project_map(const SampleSeries& s, std::string_view proj, bool as_bool) {
  SCXSNAP_TRY(MapSpec ms, parse_map_spec(s, proj));
  Projection out{std::string(proj), {}, {}};
  for (const auto& r : s.rows()) {
    if (r.report.is_placeholder) {
      out.values.push_back(std::unexpected(placeholder(r)));
      continue;
    }
    Snapshot snap(r.report);
    auto m = snap.map(ms.map);
    if (!m) {
      out.values.push_back(std::unexpected(m.error()));
      continue;
    }
    SnapshotMap view = ms.cpu ? m->cpu(*ms.cpu) : *m;
    SnapshotEntry e = view.at(ms.index);
    out.values.push_back(ms.reducer ? reduce(e, ms) : number_of(e.get(ms.field), as_bool));
  }
  return out;
}

// ---- stats: and cpuN: ---------------------------------------------------------------------

Result<Projection> project_stats(const SampleSeries& s, std::string_view proj, bool as_bool) {
  const std::string path(proj.substr(6));
  Projection out{std::string(proj), {}, {}};
  for (const auto& r : s.rows()) {
    if (const auto* why = std::get_if<MissingStatsReason>(&r.stats)) {
      out.values.push_back(std::unexpected(SnapshotError(errors::MissingStats{r.tag, *why})));
      continue;
    }
    out.values.push_back(number_of(JsonField::of(std::get<JsonValue>(r.stats)).get(path), as_bool));
  }
  return out;
}

Result<Projection> project_cpu(const SampleSeries& s, std::string_view proj, bool as_bool) {
  if (as_bool) return bad(proj, "per-CPU time is a number, not a truth value");
  const std::size_t colon = proj.find(':');
  std::uint32_t cpu = 0;
  std::from_chars(proj.data() + 3, proj.data() + colon, cpu);
  const std::string_view field_name = proj.substr(colon + 1);
  auto counters = per_cpu_time_counters();
  auto it = std::find_if(counters.begin(), counters.end(),
                         [&](const auto& c) { return c.first == field_name; });
  if (it == counters.end())
    return bad(proj, "unknown per_cpu_time field (cpustat_user_ns, …, irqs_sum)");
  const auto member = it->second;
  Projection out{std::string(proj), {}, {}};
  for (const auto& r : s.rows()) {
    if (r.report.is_placeholder) {
      out.values.push_back(std::unexpected(placeholder(r)));
      continue;
    }
    const PerCpuTimeStats* row = Snapshot(r.report).per_cpu_time_at(cpu);
    if (!row) {
      out.values.push_back(
          std::unexpected(SnapshotError(errors::HostFieldUnavailable{r.tag, cpu})));
      continue;
    }
    const std::uint64_t v = row->*member;
    out.values.push_back(Number{ValueClass::Unsigned, v, 0, static_cast<double>(v), false});
  }
  return out;
}

}  // namespace

Result<Projection> project(const SampleSeries& s, std::string_view proj, bool as_bool) {
  if (proj.starts_with("var:")) return project_var(s, proj, as_bool);
  if (proj.starts_with("map:")) return project_map(s, proj, as_bool);
  if (proj.starts_with("stats:")) return project_stats(s, proj, as_bool);
  if (proj.starts_with("cpu")) return project_cpu(s, proj, as_bool);
  return bad(proj, "expected var:NAME, var:OBJ/NAME, map:NAME.FIELD, stats:PATH or cpuN:FIELD");
}

std::vector<std::string> known_names(const SampleSeries& s, std::string_view proj) {
  std::vector<std::string> out;
  const SampleRow* last = nullptr;
  for (const auto& r : s.rows())
    if (!r.report.is_placeholder) last = &r;
  if (!last) return out;
  const bool vars = proj.starts_with("var:");
  if (!vars && !proj.starts_with("map:")) return out;
  for (const auto& m : last->report.maps) {
    if (!vars) {
      out.push_back(m.name);
      continue;
    }
    if (!m.value || !detail::is_section_map_name(m.name) || m.value->kind() != ValueKind::Struct)
      continue;
    for (const auto& mem : m.value->members()) out.emplace_back(mem.name.view());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace scxsnap::detail

namespace scxsnap {

Result<std::vector<ProjectedAt>> project_series(const SampleSeries& series,
                                                std::string_view projection) {
  SCXSNAP_TRY(detail::Projection p, detail::project(series, projection));
  std::vector<ProjectedAt> out;
  out.reserve(p.values.size());
  for (auto& v : p.values) {
    if (!v) {
      out.emplace_back(std::unexpect, std::move(v.error()));
      continue;
    }
    out.emplace_back(ProjectedValue{v->cls, v->u, v->i, v->f, v->b});
  }
  return out;
}

}  // namespace scxsnap
