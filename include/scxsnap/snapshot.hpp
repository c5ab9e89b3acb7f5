// SPDX-License-Identifier: Apache-2.0
// The typed view over a FailureDumpReport (ktstr's Snapshot API).
//
// Snapshot, SnapshotMap, SnapshotEntry and SnapshotField borrow the report:
// they hold pointers into it, copy nothing, and are valid while the report
// lives and is not modified. A Snapshot cannot be built from a temporary
// report (that constructor is deleted).
//
// Start with Snapshot::var("name") for a global variable, Snapshot::map("name")
// for a map, and SnapshotField::as_u64() & co for values. Failures travel as
// values: a Missing field carries its SnapshotError and every terminal returns
// it.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace scxsnap {

/// A value found by a lookup: a rendered value, the u32 key of a PERCPU_ARRAY
/// entry, or the error that stopped the lookup.
class SCXSNAP_API SnapshotField {
 public:
  static SnapshotField of(const RenderedValue& v) { return SnapshotField(&v); }
  /// A field borrows its value: a temporary would dangle.
  static SnapshotField of(RenderedValue&&) = delete;
  static SnapshotField percpu_key(std::uint32_t key);
  static SnapshotField missing(SnapshotError e);

  bool is_present() const { return !error_; }
  /// Walk a dotted member path ("ctx.weight"; "" = this value).
  SnapshotField get(std::string_view path) const;
  const RenderedValue* raw() const { return value_; }
  const SnapshotError* error() const { return error_ ? &*error_ : nullptr; }
  /// Elements of an array value (through pointer derefs and truncation); empty otherwise.
  std::vector<SnapshotField> iter_members() const;

  SnapshotResult<std::uint64_t> as_u64() const;
  SnapshotResult<std::int64_t> as_i64() const;
  SnapshotResult<double> as_f64() const;
  SnapshotResult<bool> as_bool() const;
  /// Enum variant name.
  SnapshotResult<std::string_view> as_str() const;
  SnapshotResult<std::vector<std::uint64_t>> as_u64_array() const;
  SnapshotResult<std::vector<std::uint32_t>> as_u32_array() const;
  SnapshotResult<std::vector<std::int64_t>> as_i64_array() const;
  SnapshotResult<std::vector<double>> as_f64_array() const;
  SnapshotResult<std::vector<bool>> as_bool_array() const;

  bool is_percpu_key() const { return !value_ && !error_; }

 private:
  explicit SnapshotField(const RenderedValue* v) : value_(v) {}
  SnapshotField() = default;
  const RenderedValue* value_ = nullptr;
  std::uint32_t key_ = 0;
  std::optional<SnapshotError> error_;
};

/// One entry of a map view.
class SCXSNAP_API SnapshotEntry {
 public:
  struct Hash {
    const FailureDumpEntry* entry;
  };
  struct Percpu {
    const FailureDumpPercpuEntry* entry;
  };
  struct PercpuHash {
    const FailureDumpPercpuHashEntry* entry;
  };
  struct Value {
    const RenderedValue* value;
  };
  /// scxsnap addition: one slot of a multi-entry ARRAY map.
  struct Array {
    const FailureDumpArrayEntry* entry;
  };
  struct Missing {
    SnapshotError error;
  };
  using Variant = std::variant<Hash, Percpu, PercpuHash, Value, Array, Missing>;

  explicit SnapshotEntry(Variant v) : v_(std::move(v)) {}
  const Variant& variant() const { return v_; }

  bool is_present() const { return !std::holds_alternative<Missing>(v_); }
  /// The value side, then a dotted path.
  SnapshotField get(std::string_view path) const;
  /// The key side, then a dotted path.
  SnapshotField key(std::string_view path) const;

  // Aggregation over the CPU slots of an un-narrowed per-CPU entry.
  SnapshotResult<std::uint64_t> cpu_sum_u64(std::string_view path) const;
  SnapshotResult<std::int64_t> cpu_sum_i64(std::string_view path) const;
  SnapshotResult<double> cpu_sum_f64(std::string_view path) const;
  SnapshotResult<std::uint64_t> cpu_max_u64(std::string_view path) const;
  SnapshotResult<std::int64_t> cpu_max_i64(std::string_view path) const;
  SnapshotResult<double> cpu_max_f64(std::string_view path) const;
  SnapshotResult<std::uint64_t> cpu_min_u64(std::string_view path) const;
  SnapshotResult<std::int64_t> cpu_min_i64(std::string_view path) const;
  SnapshotResult<double> cpu_min_f64(std::string_view path) const;
  /// fn(cpu, value) for every non-null slot in CPU order; an error from fn stops.
  SnapshotResult<std::monostate> cpu_each(
      std::string_view path,
      const std::function<SnapshotResult<std::monostate>(std::size_t, const RenderedValue&)>& fn)
      const;

 private:
  Variant v_;
};

/// One map of the report, optionally narrowed to a CPU.
class SCXSNAP_API SnapshotMap {
 public:
  explicit SnapshotMap(const FailureDumpMap& m) : map_(&m) {}
  /// A map view borrows its map: a temporary would dangle.
  explicit SnapshotMap(FailureDumpMap&&) = delete;

  std::string_view name() const { return map_->name; }
  const FailureDumpMap& raw() const { return *map_; }
  const FailureDumpRingbuf* ringbuf() const { return map_->ringbuf ? &*map_->ringbuf : nullptr; }
  const ArenaSnapshot* arena() const { return map_->arena ? &*map_->arena : nullptr; }
  const FailureDumpFdArray* fd_array() const { return map_->fd_array ? &*map_->fd_array : nullptr; }
  const FailureDumpStackTrace* stack_trace() const {
    return map_->stack_trace ? &*map_->stack_trace : nullptr;
  }
  std::optional<std::string_view> map_error() const;

  /// The same map narrowed to CPU n (only per-CPU maps are affected).
  SnapshotMap cpu(std::size_t n) const;
  SnapshotEntry at(std::size_t n) const;
  SnapshotEntry find(const std::function<bool(const SnapshotEntry&)>& pred) const;
  std::vector<SnapshotEntry> filter(const std::function<bool(const SnapshotEntry&)>& pred) const;
  SnapshotEntry max_by(const std::function<std::uint64_t(const SnapshotEntry&)>& key_fn) const;
  /// Number of entries a walk visits.
  std::size_t len() const;

 private:
  // Visit entries in order; fn returns false to stop.
  void for_each(const std::function<bool(SnapshotEntry&&)>& fn) const;
  SnapshotEntry entry_at(std::size_t i) const;
  const FailureDumpMap* map_;
  std::optional<std::size_t> cpu_;
};

using VarPicker = std::function<std::optional<std::size_t>(
    std::span<const std::pair<std::string_view, SnapshotField>>)>;
using RowPicker = std::function<std::optional<std::size_t>(
    std::span<const std::pair<std::string_view, std::vector<SnapshotField>>>)>;

class SCXSNAP_API Snapshot {
 public:
  explicit Snapshot(const FailureDumpReport& report) : report_(&report) {}
  /// Views must not outlive the report: no Snapshot of a temporary.
  explicit Snapshot(FailureDumpReport&&) = delete;

  const FailureDumpReport& report() const { return *report_; }
  SnapshotResult<SnapshotMap> map(std::string_view name) const;
  /// A global in the view's <obj>.bss/.data/.rodata maps (ktstr's rules and
  /// errors). scxsnap extension: when those hold no such global, the
  /// ".data.NAME", ".rodata.NAME" and "<obj>.kconfig" sections are searched
  /// too (in an active view: those sharing the active object's BTF).
  SnapshotField var(std::string_view name) const;
  std::vector<std::pair<std::string_view, SnapshotField>> vars(std::string_view name) const;
  SnapshotResult<Snapshot> active() const;
  SnapshotField live_var(std::string_view name) const;
  SnapshotField live_var_via(std::string_view name, const VarPicker& picker) const;
  SnapshotResult<std::vector<SnapshotField>> live_vars_via(std::span<const std::string_view> names,
                                                           const RowPicker& picker) const;
  SnapshotResult<std::vector<SnapshotField>> live_vars_via(
      std::initializer_list<std::string_view> names, const RowPicker& picker) const {
    return live_vars_via(std::span<const std::string_view>(names.begin(), names.size()), picker);
  }
  std::size_t map_count() const;
  bool is_placeholder() const { return report_->is_placeholder; }
  /// The object prefix this view is filtered to (set by active()).
  std::optional<std::string_view> active_obj() const { return active_obj_; }

  // First-class accessors (ignore the active filter and the placeholder flag).
  std::span<const EventCounterSample> event_counter_timeline() const {
    return report_->event_counter_timeline;
  }
  std::span<const RqScxState> rq_scx_states() const { return report_->rq_scx_states; }
  std::span<const DsqState> dsq_states() const { return report_->dsq_states; }
  const ScxSchedState* scx_sched_state() const;
  std::span<const PerCpuTimeStats> per_cpu_time() const { return report_->per_cpu_time; }
  const PerCpuTimeStats* per_cpu_time_at(std::uint32_t cpu) const;
  std::span<const CgroupPsiStat> cgroup_psi() const { return report_->cgroup_psi; }
  std::span<const PerNodeNumaStats> per_node_numa() const { return report_->per_node_numa; }
  const PerNodeNumaStats* per_node_numa_at(std::uint32_t node) const;
  std::span<const TaskEnrichment> task_enrichments() const { return report_->task_enrichments; }
  const TaskEnrichment* task_enrichment_by_pid(std::int32_t pid) const;
  std::span<const ProgRuntimeStats> prog_runtime_stats() const {
    return report_->prog_runtime_stats;
  }
  const ProgRuntimeStats* prog_runtime_stats_by_name(std::string_view name) const;
  const ProbeBssCounters* probe_counters() const;
  std::optional<std::string_view> scx_walker_unavailable() const;
  std::optional<std::string_view> task_enrichments_unavailable() const;
  std::optional<std::string_view> prog_runtime_stats_unavailable() const;
  std::optional<std::string_view> per_node_numa_unavailable() const;
  std::optional<std::string_view> sdt_alloc_unavailable() const;

 private:
  bool in_view(const FailureDumpMap& m) const;
  bool extension_in_view(const FailureDumpMap& m) const;
  std::vector<std::pair<std::string_view, SnapshotField>> extension_vars(
      std::string_view name) const;
  bool admitted(const FailureDumpMap& m) const;
  bool whitelist_active() const { return !kvas_.empty() || !ids_.empty(); }
  std::optional<SnapshotError> excluded_filter_err(std::string_view requested) const;
  std::vector<std::string> global_section_names() const;

  const FailureDumpReport* report_;
  std::optional<std::string_view> active_obj_;
  std::span<const std::uint64_t> kvas_;
  std::span<const std::uint32_t> ids_;
};

namespace pickers {
/// The candidate with the largest as_u64 value (ties: the last one).
SCXSNAP_API std::optional<std::size_t> max_by_counter_value(
    std::span<const std::pair<std::string_view, SnapshotField>> fields);
/// The row whose fields sum largest (saturating; rows with a non-u64 field
/// are dropped; ties: the last one).
SCXSNAP_API std::optional<std::size_t> max_by_sum_u64(
    std::span<const std::pair<std::string_view, std::vector<SnapshotField>>> rows);
}  // namespace pickers

/// A value inside a scheduler-stats JSON document, or the error of the walk.
class SCXSNAP_API JsonField {
 public:
  static JsonField of(const JsonValue& v) { return JsonField(&v); }
  /// A field borrows its document: a temporary would dangle.
  static JsonField of(JsonValue&&) = delete;
  static JsonField missing(SnapshotError e);

  bool is_present() const { return !error_; }
  const JsonValue* raw() const { return value_; }
  const SnapshotError* error() const { return error_ ? &*error_ : nullptr; }
  JsonField get(std::string_view path) const;
  std::vector<JsonField> iter_members() const;

  SnapshotResult<std::uint64_t> as_u64() const;
  SnapshotResult<std::int64_t> as_i64() const;
  SnapshotResult<double> as_f64() const;
  SnapshotResult<bool> as_bool() const;
  SnapshotResult<std::string_view> as_str() const;
  SnapshotResult<std::vector<std::uint64_t>> as_u64_array() const;
  SnapshotResult<std::vector<std::uint32_t>> as_u32_array() const;
  SnapshotResult<std::vector<std::int64_t>> as_i64_array() const;
  SnapshotResult<std::vector<double>> as_f64_array() const;
  SnapshotResult<std::vector<bool>> as_bool_array() const;

 private:
  explicit JsonField(const JsonValue* v) : value_(v) {}
  JsonField() = default;
  const JsonValue* value_ = nullptr;
  std::optional<SnapshotError> error_;
};

/// Walk a scheduler-stats document by dotted path ("layers.batch.util").
SCXSNAP_API JsonField stats_path(const JsonValue& root, std::string_view path);
/// The field borrows `root`: a temporary would dangle.
JsonField stats_path(JsonValue&& root, std::string_view path) = delete;

/// True for names ending in .bss, .data or .rodata.
SCXSNAP_API bool is_global_section_map(std::string_view name);

}  // namespace scxsnap
