// SPDX-License-Identifier: Apache-2.0
// FailureDumpReport → JSON in serde's shape: declaration order, skip rules,
// RenderedValue internally tagged on "kind".
#include "report_writer.hpp"

#include "flat_fields.hpp"
#include "json_writer.hpp"
#include "scxsnap/report.hpp"

namespace scxsnap {
namespace detail {
namespace {

void write_opt_value(JsonWriter& w, std::string_view k, const std::optional<RenderedValue>& v) {
  if (!v) return;
  w.key(k);
  write_rendered(w, *v);
}

void write_per_cpu(JsonWriter& w, const std::vector<std::optional<RenderedValue>>& slots) {
  w.key("per_cpu");
  w.begin_array();
  for (const auto& s : slots) {
    if (s)
      write_rendered(w, *s);
    else
      w.value_null();
  }
  w.end_array();
}

template <class T>
void write_u_array(JsonWriter& w, std::string_view k, const std::vector<T>& v) {
  w.key(k);
  w.begin_array();
  for (T x : v) w.value_u64(x);
  w.end_array();
}

void write_opt_string(JsonWriter& w, std::string_view k, const std::optional<std::string>& s) {
  if (s) w.field_string(k, *s);
}

}  // namespace

// One member of a flat struct, by its type.
void write_member(JsonWriter& w, std::string_view k, bool v) {
  w.field_bool(k, v);
}
void write_member(JsonWriter& w, std::string_view k, std::uint64_t v) {
  w.field_u64(k, v);
}
void write_member(JsonWriter& w, std::string_view k, std::uint32_t v) {
  w.field_u64(k, v);
}
void write_member(JsonWriter& w, std::string_view k, std::int64_t v) {
  w.field_i64(k, v);
}
void write_member(JsonWriter& w, std::string_view k, std::int32_t v) {
  w.field_i64(k, v);
}
void write_member(JsonWriter& w, std::string_view k, const std::string& v) {
  w.field_string(k, v);
}
void write_member(JsonWriter& w, std::string_view k, const std::vector<std::uint64_t>& v) {
  write_u_array(w, k, v);
}
template <class T>
void write_member(JsonWriter& w, std::string_view k, const std::optional<T>& v) {
  if (v) write_member(w, k, *v);  // none: skipped (never a required member)
}

// A flat ktstr struct from its table (flat_fields.hpp), with serde's skip rule.
template <class S, std::size_t N>
void write_flat(JsonWriter& w, const S& s, const std::array<FlatField<S>, N>& fields) {
  w.begin_object();
  for (const auto& f : fields) {
    if (!f.required && flat_is_default(s, f.member)) continue;
    std::visit([&](auto m) { write_member(w, f.name, s.*m); }, f.member);
  }
  w.end_object();
}

template <class S, std::size_t N>
void write_flat_list(JsonWriter& w, std::string_view key, const std::vector<S>& list,
                     const std::array<FlatField<S>, N>& fields) {
  if (list.empty()) return;  // serde: skip_serializing_if = "Vec::is_empty"
  w.key(key);
  w.begin_array();
  for (const auto& s : list) write_flat(w, s, fields);
  w.end_array();
}

void write_map_head(JsonWriter& w, const FailureDumpMap& m) {
  w.field_string("name", m.name);
  if (m.map_kva != 0) w.field_u64("map_kva", m.map_kva);
  if (m.map_id != 0) w.field_u64("map_id", m.map_id);
  if (m.btf_id != 0) w.field_u64("btf_id", m.btf_id);
  w.field_u64("map_type", m.map_type);
  w.field_u64("value_size", m.value_size);
  w.field_u64("max_entries", m.max_entries);
}

void write_map_rest(JsonWriter& w, const FailureDumpMap& m) {
  write_opt_value(w, "value", m.value);
  if (!m.entries.empty()) {
    w.key("entries");
    w.begin_array();
    for (const auto& e : m.entries) write_hash_entry(w, e);
    w.end_array();
  }
  if (!m.array_entries.empty()) {
    w.key("array_entries");
    w.begin_array();
    for (const auto& e : m.array_entries) {
      w.begin_object();
      w.field_u64("key", e.key);
      write_opt_value(w, "value", e.value);
      w.end_object();
    }
    w.end_array();
  }
  if (!m.percpu_entries.empty()) {
    w.key("percpu_entries");
    w.begin_array();
    for (const auto& e : m.percpu_entries) {
      w.begin_object();
      w.field_u64("key", e.key);
      write_per_cpu(w, e.per_cpu);
      w.end_object();
    }
    w.end_array();
  }
  if (!m.percpu_hash_entries.empty()) {
    w.key("percpu_hash_entries");
    w.begin_array();
    for (const auto& e : m.percpu_hash_entries) write_percpu_hash_entry(w, e);
    w.end_array();
  }
  if (m.arena) {
    const ArenaSnapshot& a = *m.arena;
    w.key("arena");
    w.begin_object();
    if (!a.pages.empty()) {
      w.key("pages");
      w.begin_array();
      for (const auto& p : a.pages) {
        w.begin_object();
        w.field_u64("user_addr", p.user_addr);
        write_u_array(w, "bytes", p.bytes);
        w.end_object();
      }
      w.end_array();
    }
    if (a.truncated) w.field_bool("truncated", true);
    w.field_u64("declared_pages", a.declared_pages);
    if (a.span_capped) w.field_bool("span_capped", true);
    w.field_u64("kern_vm_start", a.kern_vm_start);
    w.field_u64("user_vm_start", a.user_vm_start);
    w.end_object();
  }
  if (m.ringbuf) {
    w.key("ringbuf");
    write_flat(w, *m.ringbuf, kRingbufFields);
  }
  if (m.stack_trace) {
    const FailureDumpStackTrace& s = *m.stack_trace;
    w.key("stack_trace");
    w.begin_object();
    w.field_u64("n_buckets", s.n_buckets);
    w.key("entries");
    w.begin_array();
    for (const auto& e : s.entries) {
      w.begin_object();
      w.field_u64("bucket_id", e.bucket_id);
      w.field_u64("nr", e.nr);
      if (!e.pcs.empty()) write_u_array(w, "pcs", e.pcs);
      w.field_string("data_hex", e.data_hex);
      w.end_object();
    }
    w.end_array();
    if (s.truncated) w.field_bool("truncated", true);
    if (s.buckets_unreadable != 0) w.field_u64("buckets_unreadable", s.buckets_unreadable);
    w.end_object();
  }
  if (m.fd_array) {
    const FailureDumpFdArray& f = *m.fd_array;
    w.key("fd_array");
    w.begin_object();
    w.field_u64("populated", f.populated);
    w.field_u64("scanned", f.scanned);
    if (!f.indices.empty()) write_u_array(w, "indices", f.indices);
    if (f.truncated) w.field_bool("truncated", true);
    if (f.indices_truncated) w.field_bool("indices_truncated", true);
    if (f.unreadable != 0) w.field_u64("unreadable", f.unreadable);
    if (!f.inner_map_ids.empty()) write_u_array(w, "inner_map_ids", f.inner_map_ids);
    w.end_object();
  }
  write_opt_string(w, "error", m.error);
}

namespace {

void write_map(JsonWriter& w, const FailureDumpMap& m) {
  w.begin_object();
  write_map_head(w, m);
  write_map_rest(w, m);
  w.end_object();
}

void write_json_members(JsonWriter& w, const std::vector<JsonValue::Member>& members) {
  for (const auto& [k, v] : members) {
    w.key(k);
    write_json_value(w, v);
  }
}

void write_json_list(JsonWriter& w, std::string_view k, const std::vector<JsonValue>& v) {
  if (v.empty()) return;
  w.key(k);
  w.begin_array();
  for (const auto& x : v) write_json_value(w, x);
  w.end_array();
}

}  // namespace

void write_rendered(JsonWriter& w, const RenderedValue& v) {
  w.begin_object();
  w.field_string("kind", kind_tag(v.kind()));
  switch (v.kind()) {
    case ValueKind::Int:
      w.field_u64("bits", v.bits());
      w.field_i64("value", v.int_value());
      break;
    case ValueKind::Uint:
      w.field_u64("bits", v.bits());
      w.field_u64("value", v.uint_value());
      break;
    case ValueKind::Bool:
      w.field_bool("value", v.bool_value());
      break;
    case ValueKind::Char:
      w.field_u64("value", v.char_value());
      break;
    case ValueKind::Float:
      w.field_u64("bits", v.bits());
      w.key("value");
      w.value_f64(v.float_value());
      break;
    case ValueKind::Enum:
      w.field_u64("bits", v.bits());
      w.field_i64("value", v.int_value());
      w.key("variant");
      if (auto n = v.variant())
        w.value_string(*n);
      else
        w.value_null();
      w.field_bool("is_signed", v.is_signed());
      break;
    case ValueKind::Struct:
      w.key("type_name");
      if (auto n = v.type_name())
        w.value_string(*n);
      else
        w.value_null();
      w.key("members");
      w.begin_array();
      for (const auto& m : v.members()) {
        w.begin_object();
        w.field_string("name", m.name.view());
        w.key("value");
        write_rendered(w, m.value);
        w.end_object();
      }
      w.end_array();
      break;
    case ValueKind::Array:
      w.field_u64("len", v.array_len());
      w.key("elements");
      w.begin_array();
      for (const auto& e : v.elements()) write_rendered(w, e);
      w.end_array();
      break;
    case ValueKind::CpuList:
      w.field_string("cpus", v.text());
      break;
    case ValueKind::Ptr:
      w.field_u64("value", v.uint_value());
      if (const RenderedValue* d = v.deref()) {
        w.key("deref");
        write_rendered(w, *d);
      }
      if (const std::string* r = v.deref_skipped_reason())
        w.field_string("deref_skipped_reason", *r);
      if (const std::string* c = v.cast_annotation()) w.field_string("cast_annotation", *c);
      break;
    case ValueKind::Bytes:
      w.field_string("hex", v.text());
      break;
    case ValueKind::Truncated:
      w.field_u64("needed", v.needed());
      w.field_u64("had", v.had());
      w.key("partial");
      write_rendered(w, *v.partial());
      break;
    case ValueKind::Unsupported:
      w.field_string("reason", v.text());
      break;
  }
  w.end_object();
}

void write_hash_entry(JsonWriter& w, const FailureDumpEntry& e) {
  w.begin_object();
  write_opt_value(w, "key", e.key);
  w.field_string("key_hex", e.key_hex);
  write_opt_value(w, "value", e.value);
  w.field_string("value_hex", e.value_hex);
  write_opt_value(w, "payload", e.payload);
  w.end_object();
}

void write_percpu_hash_entry(JsonWriter& w, const FailureDumpPercpuHashEntry& e) {
  w.begin_object();
  write_opt_value(w, "key", e.key);
  w.field_string("key_hex", e.key_hex);
  write_per_cpu(w, e.per_cpu);
  w.end_object();
}

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
  write_map(w, m);
}

namespace {
// serde's skip rule for scx_static_ranges: no ranges and nothing skipped.
bool static_ranges_skipped(const JsonValue& v) {
  const JsonValue* ranges = v.find("ranges");
  const JsonValue* skipped = v.find("skipped");
  bool no_ranges = !ranges || (ranges->is_array() && ranges->items().empty());
  return no_ranges && skipped && skipped->as_u64() == 0u;
}
}  // namespace

void write_report_head(JsonWriter& w, const FailureDumpReport& r) {
  w.begin_object();
  w.field_string("schema", r.schema);
  w.key("maps");
  w.begin_array();
}

void write_report_tail(JsonWriter& w, const FailureDumpReport& r) {
  w.end_array();  // maps
  write_json_list(w, "vcpu_regs", r.vcpu_regs);
  write_opt_string(w, "active_obj_name", r.active_obj_name);
  if (!r.active_map_kvas.empty()) write_u_array(w, "active_map_kvas", r.active_map_kvas);
  if (!r.active_map_ids.empty()) write_u_array(w, "active_map_ids", r.active_map_ids);
  write_json_list(w, "sdt_allocations", r.sdt_allocations);
  if (r.scx_static_ranges && !static_ranges_skipped(*r.scx_static_ranges)) {
    w.key("scx_static_ranges");
    write_json_value(w, *r.scx_static_ranges);
  }
  write_opt_string(w, "sdt_alloc_unavailable", r.sdt_alloc_unavailable);
  write_flat_list(w, "prog_runtime_stats", r.prog_runtime_stats, kProgFields);
  write_opt_string(w, "prog_runtime_stats_unavailable", r.prog_runtime_stats_unavailable);
  write_flat_list(w, "per_cpu_time", r.per_cpu_time, kCpuTimeFields);
  write_flat_list(w, "cgroup_psi", r.cgroup_psi, kPsiFields);
  write_flat_list(w, "per_node_numa", r.per_node_numa, kNumaFields);
  write_opt_string(w, "per_node_numa_unavailable", r.per_node_numa_unavailable);
  if (!r.task_enrichments.empty()) {
    w.key("task_enrichments");
    w.begin_array();
    for (const auto& t : r.task_enrichments) {
      w.begin_object();
      w.field_i64("pid", t.pid);
      w.field_i64("tgid", t.tgid);
      w.field_string("comm", t.comm);
      write_json_members(w, t.rest);
      w.end_object();
    }
    w.end_array();
  }
  write_opt_string(w, "task_enrichments_unavailable", r.task_enrichments_unavailable);
  write_flat_list(w, "event_counter_timeline", r.event_counter_timeline, kEventFields);
  write_flat_list(w, "rq_scx_states", r.rq_scx_states, kRqFields);
  write_flat_list(w, "dsq_states", r.dsq_states, kDsqFields);
  if (r.scx_sched_state) {
    w.key("scx_sched_state");
    write_flat(w, *r.scx_sched_state, kSchedFields);
  }
  write_opt_string(w, "scx_walker_unavailable", r.scx_walker_unavailable);
  write_json_list(w, "vcpu_perf_at_freeze", r.vcpu_perf_at_freeze);
  if (r.dump_truncated_at_us) w.field_u64("dump_truncated_at_us", *r.dump_truncated_at_us);
  if (r.maps_truncated != 0) w.field_u64("maps_truncated", r.maps_truncated);
  if (r.probe_counters) {
    w.key("probe_counters");
    write_flat(w, *r.probe_counters, kProbeFields);
  }
  if (r.is_placeholder) w.field_bool("is_placeholder", true);
  if (r.capture) {
    w.key("capture");
    write_flat(w, *r.capture, kCaptureFields);
  }
  w.end_object();
}

}  // namespace detail

std::string to_json(const FailureDumpReport& report, JsonStyle style) {
  std::string out;
  out.reserve(4096);
  detail::JsonWriter w(out, style == JsonStyle::Pretty, report.float_style);
  detail::write_report_head(w, report);
  for (const auto& m : report.maps) detail::write_map_to(w, m);
  detail::write_report_tail(w, report);
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
