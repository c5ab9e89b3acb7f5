// SPDX-License-Identifier: Apache-2.0
// FailureDumpReport → JSON in serde's shape: declaration order, skip rules,
// RenderedValue internally tagged on "kind".
#include "report_writer.hpp"

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
    const FailureDumpRingbuf& r = *m.ringbuf;
    w.key("ringbuf");
    w.begin_object();
    w.field_u64("capacity", r.capacity);
    w.field_u64("consumer_pos", r.consumer_pos);
    w.field_u64("producer_pos", r.producer_pos);
    w.field_u64("pending_pos", r.pending_pos);
    w.field_u64("pending_bytes", r.pending_bytes);
    w.end_object();
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
  if (!r.prog_runtime_stats.empty()) {
    w.key("prog_runtime_stats");
    w.begin_array();
    for (const auto& p : r.prog_runtime_stats) {
      w.begin_object();
      w.field_string("name", p.name);
      w.field_u64("cnt", p.cnt);
      w.field_u64("nsecs", p.nsecs);
      w.field_u64("misses", p.misses);
      w.end_object();
    }
    w.end_array();
  }
  write_opt_string(w, "prog_runtime_stats_unavailable", r.prog_runtime_stats_unavailable);
  if (!r.per_cpu_time.empty()) {
    w.key("per_cpu_time");
    w.begin_array();
    for (const auto& c : r.per_cpu_time) {
      w.begin_object();
      w.field_u64("cpu", c.cpu);
      w.field_u64("cpustat_user_ns", c.cpustat_user_ns);
      w.field_u64("cpustat_nice_ns", c.cpustat_nice_ns);
      w.field_u64("cpustat_system_ns", c.cpustat_system_ns);
      w.field_u64("cpustat_softirq_ns", c.cpustat_softirq_ns);
      w.field_u64("cpustat_irq_ns", c.cpustat_irq_ns);
      w.field_u64("cpustat_idle_ns", c.cpustat_idle_ns);
      w.field_u64("cpustat_iowait_ns", c.cpustat_iowait_ns);
      w.field_u64("cpustat_steal_ns", c.cpustat_steal_ns);
      write_u_array(w, "softirqs", c.softirqs);
      w.field_u64("irqs_sum", c.irqs_sum);
      if (c.iowait_sleeptime_ns) w.field_u64("iowait_sleeptime_ns", *c.iowait_sleeptime_ns);
      w.end_object();
    }
    w.end_array();
  }
  if (!r.cgroup_psi.empty()) {
    w.key("cgroup_psi");
    w.begin_array();
    for (const auto& c : r.cgroup_psi) {
      w.begin_object();
      w.field_u64("cgroup_kva", c.cgroup_kva);
      w.field_u64("total_ns", c.total_ns);
      w.field_u64("avg10_raw", c.avg10_raw);
      w.field_u64("serial_nr", c.serial_nr);
      w.end_object();
    }
    w.end_array();
  }
  if (!r.per_node_numa.empty()) {
    w.key("per_node_numa");
    w.begin_array();
    for (const auto& n : r.per_node_numa) {
      w.begin_object();
      w.field_u64("node", n.node);
      w.field_u64("numa_hit", n.numa_hit);
      w.field_u64("numa_miss", n.numa_miss);
      w.field_u64("numa_foreign", n.numa_foreign);
      w.field_u64("numa_interleave_hit", n.numa_interleave_hit);
      w.field_u64("numa_local", n.numa_local);
      w.field_u64("numa_other", n.numa_other);
      w.end_object();
    }
    w.end_array();
  }
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
  if (!r.event_counter_timeline.empty()) {
    w.key("event_counter_timeline");
    w.begin_array();
    for (const auto& e : r.event_counter_timeline) {
      w.begin_object();
      w.field_u64("elapsed_ms", e.elapsed_ms);
      w.field_i64("select_cpu_fallback", e.select_cpu_fallback);
      w.field_i64("dispatch_local_dsq_offline", e.dispatch_local_dsq_offline);
      w.field_i64("dispatch_keep_last", e.dispatch_keep_last);
      w.field_i64("enq_skip_exiting", e.enq_skip_exiting);
      w.field_i64("enq_skip_migration_disabled", e.enq_skip_migration_disabled);
      w.field_i64("reenq_immed", e.reenq_immed);
      w.field_i64("reenq_local_repeat", e.reenq_local_repeat);
      w.field_i64("refill_slice_dfl", e.refill_slice_dfl);
      w.field_i64("bypass_duration", e.bypass_duration);
      w.field_i64("bypass_dispatch", e.bypass_dispatch);
      w.field_i64("bypass_activate", e.bypass_activate);
      w.field_i64("insert_not_owned", e.insert_not_owned);
      w.field_i64("sub_bypass_dispatch", e.sub_bypass_dispatch);
      w.end_object();
    }
    w.end_array();
  }
  if (!r.rq_scx_states.empty()) {
    w.key("rq_scx_states");
    w.begin_array();
    for (const auto& q : r.rq_scx_states) {
      w.begin_object();
      w.field_u64("cpu", q.cpu);
      w.field_u64("nr_running", q.nr_running);
      w.field_u64("flags", q.flags);
      w.field_bool("cpu_released", q.cpu_released);
      w.field_u64("ops_qseq", q.ops_qseq);
      if (q.kick_sync) w.field_u64("kick_sync", *q.kick_sync);
      if (q.nr_immed) w.field_u64("nr_immed", *q.nr_immed);
      if (q.rq_clock) w.field_u64("rq_clock", *q.rq_clock);
      if (q.curr_pid) w.field_i64("curr_pid", *q.curr_pid);
      write_opt_string(w, "curr_comm", q.curr_comm);
      write_u_array(w, "runnable_task_kvas", q.runnable_task_kvas);
      if (q.runnable_truncated) w.field_bool("runnable_truncated", true);
      w.end_object();
    }
    w.end_array();
  }
  if (!r.dsq_states.empty()) {
    w.key("dsq_states");
    w.begin_array();
    for (const auto& d : r.dsq_states) {
      w.begin_object();
      w.field_u64("id", d.id);
      w.field_string("origin", d.origin);
      w.field_u64("nr", d.nr);
      w.field_u64("seq", d.seq);
      write_u_array(w, "task_kvas", d.task_kvas);
      if (d.truncated) w.field_bool("truncated", true);
      w.end_object();
    }
    w.end_array();
  }
  if (r.scx_sched_state) {
    const ScxSchedState& s = *r.scx_sched_state;
    w.key("scx_sched_state");
    w.begin_object();
    w.field_bool("aborting", s.aborting);
    w.field_i64("bypass_depth", s.bypass_depth);
    w.field_u64("exit_kind", s.exit_kind);
    if (s.watchdog_timeout) w.field_u64("watchdog_timeout", *s.watchdog_timeout);
    write_opt_string(w, "source", s.source);
    if (s.sched_kva) w.field_u64("sched_kva", *s.sched_kva);
    w.end_object();
  }
  write_opt_string(w, "scx_walker_unavailable", r.scx_walker_unavailable);
  write_json_list(w, "vcpu_perf_at_freeze", r.vcpu_perf_at_freeze);
  if (r.dump_truncated_at_us) w.field_u64("dump_truncated_at_us", *r.dump_truncated_at_us);
  if (r.maps_truncated != 0) w.field_u64("maps_truncated", r.maps_truncated);
  if (r.probe_counters) {
    const ProbeBssCounters& p = *r.probe_counters;
    w.key("probe_counters");
    w.begin_object();
    w.field_u64("probe_count", p.probe_count);
    w.field_u64("kprobe_returns", p.kprobe_returns);
    w.field_u64("meta_miss", p.meta_miss);
    w.field_u64("ringbuf_drops", p.ringbuf_drops);
    w.field_u64("timeline_count", p.timeline_count);
    w.field_u64("timeline_drops", p.timeline_drops);
    w.field_u64("pi_count", p.pi_count);
    w.field_u64("pi_orphan_fexits", p.pi_orphan_fexits);
    w.field_u64("pi_class_change_count", p.pi_class_change_count);
    w.field_u64("pi_drops", p.pi_drops);
    w.field_u64("lock_contend_count", p.lock_contend_count);
    w.field_u64("lock_contend_drops", p.lock_contend_drops);
    w.field_u64("preempt_disable_count", p.preempt_disable_count);
    w.field_u64("preempt_enable_count", p.preempt_enable_count);
    w.field_u64("trigger_count", p.trigger_count);
    w.end_object();
  }
  if (r.is_placeholder) w.field_bool("is_placeholder", true);
  if (r.capture) {
    const CaptureInfo& c = *r.capture;
    w.key("capture");
    w.begin_object();
    w.field_string("host", c.host);
    w.field_string("kernel_release", c.kernel_release);
    w.field_string("captured_at", c.captured_at);
    w.field_string("tool_version", c.tool_version);
    w.field_u64("duration_us", c.duration_us);
    if (c.max_value_bytes != 0) w.field_u64("max_value_bytes", c.max_value_bytes);
    if (c.values_truncated != 0) w.field_u64("values_truncated", c.values_truncated);
    if (c.max_array_elements != 0) w.field_u64("max_array_elements", c.max_array_elements);
    write_opt_string(w, "stopped_by", c.stopped_by);
    w.end_object();
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
