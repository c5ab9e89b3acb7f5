// SPDX-License-Identifier: Apache-2.0
// SampleSeries: JSON Lines I/O and the projection axes (reference Part A.3).
#include "scxsnap/sample_series.hpp"

#include "report/guard.hpp"
#include "report/json/json_writer.hpp"
#include "report/report_writer.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace scxsnap {

// ---- JSON Lines ------------------------------------------------------------------------

Result<SampleSeries> SampleSeries::parse_jsonl(std::string_view text) {
  return detail::guarded("reading a series", [&]() -> Result<SampleSeries> {
    std::vector<SampleRow> rows;
    std::vector<std::string> notes;
    std::size_t line_no = 0, start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto fail = [&](const std::string& what) {
        return Error(ErrorCode::BadInput, fmt::format("line {}: {}", line_no, what));
      };
      // The record is small apart from "report". `watch` writes the report
      // last: split it off and hand it straight to the report reader; other
      // layouts go through the generic path below.
      std::optional<FailureDumpReport> fast;
      std::string head_text;
      static constexpr std::string_view kMarker = ",\"report\":{\"schema\"";
      if (std::size_t at = line.rfind(kMarker);
          at != std::string_view::npos && line.ends_with('}')) {
        std::string_view body = line.substr(at + 10, line.size() - at - 11);
        if (auto rep = parse_report(body); rep) {
          fast = std::move(*rep);
          head_text = std::string(line.substr(0, at)) + "}";
        }
      }
      auto doc = parse_json(fast ? std::string_view(head_text) : line);
      if (!doc) return fail(doc.error().message());
      if (!doc->is_object()) return fail("expected a JSON object per line");
      SampleRow row;
      const JsonValue* tag = doc->find("tag");
      if (!tag || !tag->is_string()) return fail("missing string key 'tag'");
      row.tag = tag->text();
      if (const JsonValue* e = doc->find("elapsed_ms"); e && !e->is_null()) {
        if (!e->as_u64()) return fail("'elapsed_ms' must be an unsigned integer");
        row.elapsed_ms = *e->as_u64();
      }
      if (const JsonValue* s = doc->find("step_index"); s && !s->is_null()) {
        if (!s->as_u64() || *s->as_u64() > 0xffff) return fail("'step_index' must be a u16");
        row.step_index = static_cast<std::uint16_t>(*s->as_u64());
      }
      if (const JsonValue* b = doc->find("boundary_offset_ms"); b && !b->is_null()) {
        if (!b->as_u64()) return fail("'boundary_offset_ms' must be an unsigned integer");
        row.boundary_offset_ms = *b->as_u64();
      }
      if (const JsonValue* st = doc->find("stats"); st && !st->is_null()) row.stats = *st;
      if (fast) {
        row.report = std::move(*fast);
      } else {
        const JsonValue* rep = doc->find("report");
        if (!rep) return fail("missing key 'report'");
        // A dual or degraded dump is not one sample: skipped, and said.
        if (const JsonValue* sc = rep->find("schema");
            sc && sc->is_string() && (sc->text() == kSchemaDual || sc->text() == kSchemaDegraded)) {
          notes.push_back(fmt::format("line {} (tag '{}'): a {} dump is not a sample; skipped",
                                      line_no, row.tag, sc->text()));
          continue;
        }
        auto report = parse_report(to_json_text(*rep));
        if (!report) return fail("report: " + report.error().message());
        row.report = std::move(*report);
      }
      rows.push_back(std::move(row));
    }
    SampleSeries s(std::move(rows));
    s.notes_ = std::move(notes);
    return s;
  });
}

Result<SampleSeries> SampleSeries::load_jsonl(const std::filesystem::path& path) {
  return detail::guarded("reading a series", [&]() -> Result<SampleSeries> {
    SCXSNAP_TRY(std::string text, read_text_file(path));
    auto s = parse_jsonl(text);
    if (!s) return s.error().with_context(path.string());
    return s;
  });
}

std::string SampleSeries::to_jsonl_line(const SampleRow& row) {
  return to_jsonl_line(row, to_json(row.report));
}

std::string SampleSeries::to_jsonl_line(const SampleRow& row, std::string_view report_json) {
  std::string out;
  detail::JsonWriter w(out);
  w.begin_object();
  w.field_string("tag", row.tag);
  if (row.elapsed_ms) w.field_u64("elapsed_ms", *row.elapsed_ms);
  if (row.step_index) w.field_u64("step_index", *row.step_index);
  if (row.boundary_offset_ms) w.field_u64("boundary_offset_ms", *row.boundary_offset_ms);
  if (const JsonValue* st = std::get_if<JsonValue>(&row.stats)) {
    w.key("stats");
    detail::write_json_value(w, *st);
  }
  w.key("report");
  w.value_raw_json(report_json);
  w.end_object();
  return out;
}

SampleSeries SampleSeries::periodic_only() const {
  std::vector<SampleRow> rows;
  for (const auto& r : rows_)
    if (r.tag.starts_with("periodic_")) rows.push_back(r);
  return SampleSeries(std::move(rows));
}

// ---- projections ------------------------------------------------------------------------

namespace {
SnapshotError placeholder_sample(const SampleRow& r) {
  return errors::PlaceholderSample{r.tag,
                                   r.report.scx_walker_unavailable.value_or("placeholder report")};
}
}  // namespace

template <class T>
SeriesField<T> SampleSeries::make_field(std::string label,
                                        std::vector<std::expected<T, SnapshotError>> values) const {
  std::vector<std::string> tags;
  std::vector<std::optional<std::uint64_t>> ms;
  std::vector<std::optional<Phase>> phases;
  for (const auto& r : rows_) {
    tags.push_back(r.tag);
    ms.push_back(r.elapsed_ms);
    phases.push_back(r.step_index ? std::optional<Phase>(Phase{*r.step_index}) : std::nullopt);
  }
  return SeriesField<T>(std::move(label), std::move(tags), std::move(ms), std::move(values),
                        std::move(phases));
}

template <class T>
SeriesField<T> SampleSeries::bpf(std::string label,
                                 const std::function<SnapshotResult<T>(const Snapshot&)>& f) const {
  std::vector<std::expected<T, SnapshotError>> vals;
  for (const auto& r : rows_) {
    if (r.report.is_placeholder) {
      vals.push_back(std::unexpected(placeholder_sample(r)));
      continue;
    }
    SnapshotResult<T> v = f(Snapshot(r.report));
    vals.push_back(v ? std::expected<T, SnapshotError>(*v) : std::unexpected(v.error()));
  }
  return make_field<T>(std::move(label), std::move(vals));
}

namespace {
// live_var(name) of each row through `conv`, with the phase-stability gate:
// a row whose walker identity drifted within its phase is an error.
template <class T>
std::vector<std::expected<T, SnapshotError>> live_gated_values(
    const std::vector<SampleRow>& rows, std::string_view name,
    const std::function<SnapshotResult<T>(const SnapshotField&)>& conv) {
  // The walker's identity of the live scheduler: KVAs (ktstr) or map ids (host captures).
  auto identity = [](const FailureDumpReport& rep) {
    std::vector<std::uint64_t> id(rep.active_map_kvas.begin(), rep.active_map_kvas.end());
    if (id.empty()) id.assign(rep.active_map_ids.begin(), rep.active_map_ids.end());
    return id;
  };
  // Phases where the walker published for at least one real row.
  std::map<std::uint16_t, bool> walker_phase;
  for (const auto& r : rows)
    if (!r.report.is_placeholder && r.step_index && !identity(r.report).empty())
      walker_phase[*r.step_index] = true;
  std::map<std::uint16_t, std::vector<std::uint64_t>> pinned;
  std::vector<std::expected<T, SnapshotError>> vals;
  for (const auto& r : rows) {
    if (r.report.is_placeholder) {
      vals.push_back(std::unexpected(placeholder_sample(r)));
      continue;
    }
    SnapshotResult<T> v = conv(Snapshot(r.report).live_var(name));
    if (!v) {
      vals.push_back(std::unexpected(v.error()));
      continue;
    }
    auto id = identity(r.report);
    if (r.step_index) {
      Phase ph{*r.step_index};
      if (!id.empty()) {
        auto [it, fresh] = pinned.emplace(*r.step_index, id);
        if (!fresh && it->second != id) {
          vals.push_back(std::unexpected(SnapshotError(errors::WalkerDriftedWithinPhase{
              JsonValue::string(ph.to_string()), it->second, id, std::string(name)})));
          continue;
        }
      } else if (walker_phase.count(*r.step_index)) {
        auto it = pinned.find(*r.step_index);
        vals.push_back(std::unexpected(SnapshotError(errors::WalkerDriftedWithinPhase{
            JsonValue::string(ph.to_string()),
            it == pinned.end() ? std::vector<std::uint64_t>{} : it->second,
            {},
            std::string(name)})));
        continue;
      }
    }
    vals.push_back(*v);
  }
  return vals;
}
}  // namespace

template <class T>
SeriesField<T> SampleSeries::live_gated(
    std::string_view name,
    const std::function<SnapshotResult<T>(const SnapshotField&)>& conv) const {
  return make_field<T>(std::string(name), live_gated_values<T>(rows_, name, conv));
}

std::vector<SnapshotField> SampleSeries::live_var_fields(std::string_view name) const {
  std::vector<SnapshotField> out;
  for (auto& v : live_gated_values<SnapshotField>(
           rows_, name, [](const SnapshotField& f) -> SnapshotResult<SnapshotField> {
             if (const SnapshotError* e = f.error()) return *e;
             return f;
           }))
    out.push_back(v ? std::move(*v) : SnapshotField::missing(std::move(v.error())));
  return out;
}

SeriesField<std::uint64_t> SampleSeries::bpf_live_u64(std::string_view name) const {
  return live_gated<std::uint64_t>(name, [](const SnapshotField& f) { return f.as_u64(); });
}
SeriesField<std::int64_t> SampleSeries::bpf_live_i64(std::string_view name) const {
  return live_gated<std::int64_t>(name, [](const SnapshotField& f) { return f.as_i64(); });
}
SeriesField<double> SampleSeries::bpf_live_f64(std::string_view name) const {
  return live_gated<double>(name, [](const SnapshotField& f) { return f.as_f64(); });
}

std::vector<SeriesField<std::uint64_t>> SampleSeries::live_bpf_vars_via(
    std::span<const std::string_view> names, const RowPicker& picker) const {
  std::vector<std::vector<std::expected<std::uint64_t, SnapshotError>>> cols(names.size());
  for (const auto& r : rows_) {
    if (r.report.is_placeholder) {
      for (auto& c : cols) c.push_back(std::unexpected(placeholder_sample(r)));
      continue;
    }
    auto picked = Snapshot(r.report).live_vars_via(names, picker);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!picked) {
        cols[i].push_back(std::unexpected(picked.error()));
        continue;
      }
      auto v = (*picked)[i].as_u64();
      cols[i].push_back(v ? std::expected<std::uint64_t, SnapshotError>(*v)
                          : std::unexpected(v.error()));
    }
  }
  std::vector<SeriesField<std::uint64_t>> out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out.push_back(make_field<std::uint64_t>(std::string(names[i]), std::move(cols[i])));
  return out;
}

BpfMapProjector SampleSeries::bpf_map(std::string map_name) const {
  return BpfMapProjector(*this, std::move(map_name));
}

template <class T>
SeriesField<T> SampleSeries::stats(
    std::string label, const std::function<SnapshotResult<T>(const JsonField&)>& f) const {
  std::vector<std::expected<T, SnapshotError>> vals;
  for (const auto& r : rows_) {
    if (const auto* why = std::get_if<MissingStatsReason>(&r.stats)) {
      vals.push_back(std::unexpected(SnapshotError(errors::MissingStats{r.tag, *why})));
      continue;
    }
    SnapshotResult<T> v = f(JsonField::of(std::get<JsonValue>(r.stats)));
    vals.push_back(v ? std::expected<T, SnapshotError>(*v) : std::unexpected(v.error()));
  }
  return make_field<T>(std::move(label), std::move(vals));
}

SeriesField<std::uint64_t> SampleSeries::stats_live_u64(std::string_view path) const {
  std::string p(path);
  return stats<std::uint64_t>(p, [p](const JsonField& root) { return root.get(p).as_u64(); });
}
SeriesField<double> SampleSeries::stats_live_f64(std::string_view path) const {
  std::string p(path);
  return stats<double>(p, [p](const JsonField& root) { return root.get(p).as_f64(); });
}

SeriesField<std::uint64_t> SampleSeries::per_cpu_field_u64(
    std::uint32_t cpu, std::string label,
    const std::function<std::uint64_t(const PerCpuTimeStats&)>& f) const {
  std::vector<std::expected<std::uint64_t, SnapshotError>> vals;
  for (const auto& r : rows_) {
    if (r.report.is_placeholder) {
      vals.push_back(std::unexpected(placeholder_sample(r)));
      continue;
    }
    const PerCpuTimeStats* row = Snapshot(r.report).per_cpu_time_at(cpu);
    if (!row) {
      vals.push_back(std::unexpected(SnapshotError(errors::HostFieldUnavailable{r.tag, cpu})));
      continue;
    }
    vals.push_back(f(*row));
  }
  return make_field<std::uint64_t>(std::move(label), std::move(vals));
}

// ---- map projector ----------------------------------------------------------------------

SnapshotResult<SnapshotMap> BpfMapProjector::view(const Snapshot& snap) const {
  auto m = snap.map(map_);
  if (!m) return m.error();
  return cpu_ ? m->cpu(*cpu_) : *m;
}

namespace {
template <class T, class Fn>
SeriesField<T> project_entry(
    const SampleSeries& s, std::string label, Fn&& fn,
    const std::function<SnapshotResult<SnapshotMap>(const Snapshot&)>& view) {
  return s.bpf<T>(std::move(label), [&](const Snapshot& snap) -> SnapshotResult<T> {
    auto m = view(snap);
    if (!m) return m.error();
    return fn(*m);
  });
}
}  // namespace

#define SCXSNAP_PROJECT(T, body)                                                                \
  /* NOLINTNEXTLINE(bugprone-macro-parentheses): body is a function body */                     \
  project_entry<T>(*s_, std::string(path), [&](const SnapshotMap& m) -> SnapshotResult<T> body, \
                   [this](const Snapshot& snap) { return view(snap); })

SeriesField<std::uint64_t> BpfMapProjector::field_u64(std::string_view path) const {
  return SCXSNAP_PROJECT(std::uint64_t, { return m.at(index_).get(path).as_u64(); });
}
SeriesField<std::int64_t> BpfMapProjector::field_i64(std::string_view path) const {
  return SCXSNAP_PROJECT(std::int64_t, { return m.at(index_).get(path).as_i64(); });
}
SeriesField<double> BpfMapProjector::field_f64(std::string_view path) const {
  return SCXSNAP_PROJECT(double, { return m.at(index_).get(path).as_f64(); });
}
SeriesField<std::uint64_t> BpfMapProjector::field_cpu_sum_u64(std::string_view path) const {
  return SCXSNAP_PROJECT(std::uint64_t, { return m.at(index_).cpu_sum_u64(path); });
}
SeriesField<std::uint64_t> BpfMapProjector::field_cpu_max_u64(std::string_view path) const {
  return SCXSNAP_PROJECT(std::uint64_t, { return m.at(index_).cpu_max_u64(path); });
}
SeriesField<std::uint64_t> BpfMapProjector::field_cpu_min_u64(std::string_view path) const {
  return SCXSNAP_PROJECT(std::uint64_t, { return m.at(index_).cpu_min_u64(path); });
}
SeriesField<double> BpfMapProjector::field_cpu_sum_f64(std::string_view path) const {
  return SCXSNAP_PROJECT(double, { return m.at(index_).cpu_sum_f64(path); });
}
#undef SCXSNAP_PROJECT

std::vector<std::string> BpfMapProjector::member_names() const {
  std::vector<std::string> out;
  for (const auto& r : s_->rows()) {
    if (r.report.is_placeholder) continue;  // a placeholder must not hide the members
    Snapshot snap(r.report);
    auto m = view(snap);
    if (!m) continue;
    SnapshotEntry e = m->at(index_);
    const RenderedValue* v = e.get("").raw();
    if (!v || v->kind() != ValueKind::Struct) continue;
    for (const auto& mem : v->members()) {
      std::string n(mem.name.view());
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
  }
  return out;
}

template SeriesField<std::uint64_t> SampleSeries::bpf<std::uint64_t>(
    std::string, const std::function<SnapshotResult<std::uint64_t>(const Snapshot&)>&) const;
template SeriesField<std::int64_t> SampleSeries::bpf<std::int64_t>(
    std::string, const std::function<SnapshotResult<std::int64_t>(const Snapshot&)>&) const;
template SeriesField<double> SampleSeries::bpf<double>(
    std::string, const std::function<SnapshotResult<double>(const Snapshot&)>&) const;
template SeriesField<bool> SampleSeries::bpf<bool>(
    std::string, const std::function<SnapshotResult<bool>(const Snapshot&)>&) const;
template SeriesField<std::uint64_t> SampleSeries::stats<std::uint64_t>(
    std::string, const std::function<SnapshotResult<std::uint64_t>(const JsonField&)>&) const;
template SeriesField<double> SampleSeries::stats<double>(
    std::string, const std::function<SnapshotResult<double>(const JsonField&)>&) const;

}  // namespace scxsnap
