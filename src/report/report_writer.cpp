// SPDX-License-Identifier: Apache-2.0
// The dump's structs → JSON in serde's shape, driven by their tables
// (report_fields.hpp): declaration order, skip rules, Options as null where
// serde writes them. RenderedValue has its own table (rendered_fields.hpp)
// and writer (rendered_writer.cpp).
#include "report_writer.hpp"

#include "report/json/json_writer.hpp"
#include "report_fields.hpp"
#include "scxsnap/report.hpp"

namespace scxsnap {
namespace detail {

bool static_ranges_skipped(const FailureDumpReport& r) {
  if (!r.scx_static_ranges) return true;
  const JsonValue& v = *r.scx_static_ranges;
  const JsonValue* ranges = v.find("ranges");
  const JsonValue* skipped = v.find("skipped");
  bool no_ranges = !ranges || (ranges->is_array() && ranges->items().empty());
  return no_ranges && skipped && skipped->as_u64() == 0u;
}

namespace {

void write_json_members(JsonWriter& w, const std::vector<JsonValue::Member>& members) {
  for (const auto& [k, v] : members) {
    w.key(k);
    write_json_value(w, v);
  }
}

// ---- one member, by its type (overloads; the templates declared first) ---------------

void write_value(JsonWriter& w, std::uint64_t v) {
  w.value_u64(v);
}
void write_value(JsonWriter& w, std::uint32_t v) {
  w.value_u64(v);
}
void write_value(JsonWriter& w, std::uint8_t v) {
  w.value_u64(v);
}
void write_value(JsonWriter& w, std::int64_t v) {
  w.value_i64(v);
}
void write_value(JsonWriter& w, std::int32_t v) {
  w.value_i64(v);
}
void write_value(JsonWriter& w, bool v) {
  w.value_bool(v);
}
void write_value(JsonWriter& w, const std::string& v) {
  w.value_string(v);
}
void write_value(JsonWriter& w, const RenderedValue& v) {
  write_rendered(w, v);
}
void write_value(JsonWriter& w, const JsonValue& v) {
  write_json_value(w, v);
}
template <class T>
void write_value(JsonWriter& w, const std::optional<T>& v);
template <class T>
void write_value(JsonWriter& w, const std::vector<T>& v);
template <Described S>
void write_value(JsonWriter& w, const S& s);

// Keys kept beyond the table (TaskEnrichment's flattened rest), in input order.
template <class S>
void write_extra(JsonWriter&, const S&) {}
void write_extra(JsonWriter& w, const TaskEnrichment& t) {
  write_json_members(w, t.rest);
}

template <class T>
void write_value(JsonWriter& w, const std::optional<T>& v) {
  if (v)
    write_value(w, *v);
  else
    w.value_null();  // a skipped Option never gets here
}

template <class T>
void write_value(JsonWriter& w, const std::vector<T>& v) {
  w.begin_array();
  for (const auto& x : v) write_value(w, x);
  w.end_array();
}

}  // namespace

/// Members [from, to) of a described struct, with their skip rules.
template <class S, std::size_t N>
void write_fields(JsonWriter& w, const S& s, const std::array<Field<S>, N>& fields,
                  std::size_t from = 0, std::size_t to = N) {
  for (std::size_t i = from; i < to; ++i) {
    const Field<S>& f = fields[i];
    if (is_skipped(s, f)) continue;
    w.key(f.name);
    std::visit([&](auto m) { write_value(w, s.*m); }, f.member);
  }
}

namespace {
template <Described S>
void write_value(JsonWriter& w, const S& s) {
  w.begin_object();
  write_fields(w, s, fields_of(static_cast<const S*>(nullptr)));
  write_extra(w, s);
  w.end_object();
}
}  // namespace

void write_json_value(JsonWriter& w, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::Null:
      w.value_null();
      break;
    case JsonValue::Type::Bool:
      w.value_bool(v.bool_value());
      break;
    case JsonValue::Type::Number:
      w.value_raw_number(v.text());
      break;
    case JsonValue::Type::String:
      w.value_string(v.text());
      break;
    case JsonValue::Type::Array:
      w.begin_array();
      for (const auto& x : v.items()) write_json_value(w, x);
      w.end_array();
      break;
    case JsonValue::Type::Object:
      w.begin_object();
      write_json_members(w, v.members());
      w.end_object();
      break;
  }
}

void write_map_to(JsonWriter& w, const FailureDumpMap& m) {
  write_value(w, m);
}

void write_map_fields(JsonWriter& w, const FailureDumpMap& m, std::size_t from, std::size_t to) {
  write_fields(w, m, kMapFields, from, to);
}
void write_item(JsonWriter& w, const FailureDumpEntry& e) {
  write_value(w, e);
}
void write_item(JsonWriter& w, const FailureDumpArrayEntry& e) {
  write_value(w, e);
}
void write_item(JsonWriter& w, const FailureDumpPercpuEntry& e) {
  write_value(w, e);
}
void write_item(JsonWriter& w, const FailureDumpPercpuHashEntry& e) {
  write_value(w, e);
}

void write_map_until_pages(JsonWriter& w, const FailureDumpMap& m) {
  constexpr std::size_t kArena = kMapArenaField;  // its `pages` come first (kArenaFields)
  w.begin_object();
  write_fields(w, m, kMapFields, 0, kArena);
  w.key(kMapFields[kArena].name);
  w.begin_object();
  w.key(kArenaFields[0].name);
  w.begin_array();
}

void write_page(JsonWriter& w, const ArenaPage& p) {
  write_value(w, p);
}

void write_map_after_pages(JsonWriter& w, const FailureDumpMap& m) {
  constexpr std::size_t kArena = kMapArenaField;
  w.end_array();
  if (m.arena) write_fields(w, *m.arena, kArenaFields, 1, kArenaFields.size());
  w.end_object();
  write_fields(w, m, kMapFields, kArena + 1, kMapFields.size());
  w.end_object();
}

void write_map_paged(JsonWriter& w, const FailureDumpMap& m,
                     const std::function<void(JsonWriter&)>& between) {
  if (!m.arena || m.arena->pages.empty()) return write_map_to(w, m);
  write_map_until_pages(w, m);
  for (const ArenaPage& p : m.arena->pages) {
    write_value(w, p);
    between(w);
  }
  write_map_after_pages(w, m);
}

void write_map_head(JsonWriter& w, const FailureDumpMap& m) {
  write_fields(w, m, kMapFields, 0, kMapHeadFields);
}

void write_map_rest(JsonWriter& w, const FailureDumpMap& m) {
  write_fields(w, m, kMapFields, kMapHeadFields, kMapFields.size());
}

void write_report_head(JsonWriter& w, const FailureDumpReport& r) {
  w.begin_object();
  write_fields(w, r, kReportFields, 0, kReportMapsField);
  w.key(kReportFields[kReportMapsField].name);
  w.begin_array();
}

void write_report_tail(JsonWriter& w, const FailureDumpReport& r) {
  w.end_array();
  write_fields(w, r, kReportFields, kReportMapsField + 1, kReportFields.size());
  w.end_object();
}

void write_value(JsonWriter& w, const FailureDumpReport& r) {
  write_report_head(w, r);
  for (const auto& m : r.maps) write_map_to(w, m);
  write_report_tail(w, r);
}

void write_dump(JsonWriter& w, const FailureDumpFile& dump) {
  if (const auto* r = std::get_if<FailureDumpReport>(&dump)) return write_value(w, *r);
  w.begin_object();
  if (const auto* d = std::get_if<DualFailureDumpReport>(&dump)) {
    w.field_string("schema", kSchemaDual);
    write_fields(w, *d, kDualFields);
  } else {
    const auto& g = std::get<DegradedFailureDumpReport>(dump);
    w.field_string("schema", kSchemaDegraded);
    write_fields(w, g, kDegradedFields);
  }
  w.end_object();
}

}  // namespace detail

std::string to_json(const FailureDumpReport& report, JsonStyle style) {
  std::string out;
  out.reserve(4096);
  detail::JsonWriter w(out, style == JsonStyle::Pretty, report.float_style);
  detail::write_value(w, report);
  return out;
}

std::string to_json(const RenderedValue& value, JsonStyle style) {
  std::string out;
  detail::JsonWriter w(out, style == JsonStyle::Pretty);
  detail::write_rendered(w, value);
  return out;
}

std::string to_json_text(const JsonValue& v, bool pretty) {
  std::string out;
  detail::JsonWriter w(out, pretty);
  detail::write_json_value(w, v);
  return out;
}

FailureDumpReport FailureDumpReport::placeholder(std::string reason) {
  FailureDumpReport r;
  r.sdt_alloc_unavailable = reason;
  r.prog_runtime_stats_unavailable = reason;
  r.per_node_numa_unavailable = reason;
  r.task_enrichments_unavailable = reason;
  r.scx_walker_unavailable = std::move(reason);
  r.is_placeholder = true;
  return r;
}

const JsonValue* TaskEnrichment::field(std::string_view name) const {
  for (const auto& [k, v] : rest)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace scxsnap
