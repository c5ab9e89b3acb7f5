// SPDX-License-Identifier: Apache-2.0
// One description per ktstr type: each table lists a struct's members in
// JSON order with their type (a typed member pointer), how serde treats them
// (required; absent = default and skipped on output while default; or an
// Option written as null), whether they are counters, and any check serde's
// types imply (a fixed length, an enum's variants, an opaque shape). The
// reader (struct_reader.cpp), the writer (report_writer.cpp), `diff` and the
// `check` projections all walk these tables, so adding a ktstr field is one
// line here. RenderedValue, a tagged union, has its own table
// (rendered_fields.hpp); JsonValue is opaque text, checked by shape.
#pragma once

#include "scxsnap/dump_file.hpp"
#include "scxsnap/report.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace scxsnap::detail {

struct PathNode;

template <class S>
using FieldMember = std::variant<
    // scalars
    std::uint64_t S::*, std::uint32_t S::*, std::int64_t S::*, std::int32_t S::*, bool S::*,
    std::string S::*, std::optional<std::uint64_t> S::*, std::optional<std::uint32_t> S::*,
    std::optional<std::int32_t> S::*, std::optional<std::string> S::*,
    std::vector<std::uint64_t> S::*, std::vector<std::uint32_t> S::*,
    std::vector<std::uint8_t> S::*,
    // rendered values and opaque JSON
    std::optional<RenderedValue> S::*, std::vector<std::optional<RenderedValue>> S::*,
    std::vector<JsonValue> S::*, std::optional<JsonValue> S::*,
    // the described types (tables below)
    std::vector<FailureDumpEntry> S::*, std::vector<FailureDumpArrayEntry> S::*,
    std::vector<FailureDumpPercpuEntry> S::*, std::vector<FailureDumpPercpuHashEntry> S::*,
    std::vector<ArenaPage> S::*, std::optional<ArenaSnapshot> S::*,
    std::optional<FailureDumpRingbuf> S::*, std::vector<FailureDumpStackTraceEntry> S::*,
    std::optional<FailureDumpStackTrace> S::*, std::optional<FailureDumpFdArray> S::*,
    std::vector<FailureDumpMap> S::*, std::vector<ProgRuntimeStats> S::*,
    std::vector<PerCpuTimeStats> S::*, std::vector<CgroupPsiStat> S::*,
    std::vector<PerNodeNumaStats> S::*, std::vector<TaskEnrichment> S::*,
    std::vector<EventCounterSample> S::*, std::vector<RqScxState> S::*, std::vector<DsqState> S::*,
    std::optional<ScxSchedState> S::*, std::optional<ProbeBssCounters> S::*,
    std::optional<CaptureTrigger> S::*, std::optional<CaptureInfo> S::*, FailureDumpReport S::*,
    std::optional<FailureDumpReport> S::*>;

/// How serde treats a member.
enum class Presence : std::uint8_t {
  Required,  ///< must be present on input; always written
  Default,   ///< absent = default; skipped on output while default (none, false, 0, empty)
};

template <class S>
struct Field {
  std::string_view name;
  FieldMember<S> member;
  Presence presence = Presence::Required;
  /// A monotonic counter: `diff` shows its delta, `check` can project it.
  bool counter = false;
  /// A check serde's type implies, run once the member is read (at its path).
  Result<void> (*check)(const S&, const PathNode&) = nullptr;
  /// A skip rule other than "while default" (serde's skip_serializing_if).
  bool (*skip)(const S&) = nullptr;
};

template <class S>
constexpr Field<S> req(std::string_view name, FieldMember<S> m, bool counter = false) {
  return {name, m, Presence::Required, counter};
}
template <class S>
constexpr Field<S> opt(std::string_view name, FieldMember<S> m) {
  return {name, m, Presence::Default, false};
}
template <class S>
constexpr Field<S> counter(std::string_view name, FieldMember<S> m) {
  return {name, m, Presence::Required, true};
}
template <class S>
constexpr Field<S> checked(Field<S> f, Result<void> (*check)(const S&, const PathNode&)) {
  f.check = check;
  return f;
}
template <class S>
constexpr Field<S> skipped_if(Field<S> f, bool (*skip)(const S&)) {
  f.skip = skip;
  return f;
}

// The checks the tables name (struct_reader.cpp).
Result<void> check_softirqs(const PerCpuTimeStats& s, const PathNode& p);
Result<void> check_single_schema(const FailureDumpReport& r, const PathNode& p);
Result<void> check_vcpu_regs(const FailureDumpReport& r, const PathNode& p);
Result<void> check_sdt_allocations(const FailureDumpReport& r, const PathNode& p);
Result<void> check_static_ranges(const FailureDumpReport& r, const PathNode& p);
Result<void> check_vcpu_perf(const FailureDumpReport& r, const PathNode& p);
Result<void> check_degraded_vcpu_regs(const DegradedFailureDumpReport& d, const PathNode& p);
Result<void> check_latch_state(const DegradedFailureDumpReport& d, const PathNode& p);
/// serde's skip rule for scx_static_ranges: no ranges and nothing skipped.
bool static_ranges_skipped(const FailureDumpReport& r);

// ---- the host-context records (flat) ----------------------------------------
// clang-format off
inline const std::array kProgFields{
    req<ProgRuntimeStats>("name", &ProgRuntimeStats::name),
    counter<ProgRuntimeStats>("cnt", &ProgRuntimeStats::cnt),
    counter<ProgRuntimeStats>("nsecs", &ProgRuntimeStats::nsecs),
    counter<ProgRuntimeStats>("misses", &ProgRuntimeStats::misses)};

inline const std::array kCpuTimeFields{
    req<PerCpuTimeStats>("cpu", &PerCpuTimeStats::cpu),
    counter<PerCpuTimeStats>("cpustat_user_ns", &PerCpuTimeStats::cpustat_user_ns),
    counter<PerCpuTimeStats>("cpustat_nice_ns", &PerCpuTimeStats::cpustat_nice_ns),
    counter<PerCpuTimeStats>("cpustat_system_ns", &PerCpuTimeStats::cpustat_system_ns),
    counter<PerCpuTimeStats>("cpustat_softirq_ns", &PerCpuTimeStats::cpustat_softirq_ns),
    counter<PerCpuTimeStats>("cpustat_irq_ns", &PerCpuTimeStats::cpustat_irq_ns),
    counter<PerCpuTimeStats>("cpustat_idle_ns", &PerCpuTimeStats::cpustat_idle_ns),
    counter<PerCpuTimeStats>("cpustat_iowait_ns", &PerCpuTimeStats::cpustat_iowait_ns),
    counter<PerCpuTimeStats>("cpustat_steal_ns", &PerCpuTimeStats::cpustat_steal_ns),
    checked(req<PerCpuTimeStats>("softirqs", &PerCpuTimeStats::softirqs), check_softirqs),
    counter<PerCpuTimeStats>("irqs_sum", &PerCpuTimeStats::irqs_sum),
    opt<PerCpuTimeStats>("iowait_sleeptime_ns", &PerCpuTimeStats::iowait_sleeptime_ns)};

inline const std::array kPsiFields{
    req<CgroupPsiStat>("cgroup_kva", &CgroupPsiStat::cgroup_kva),
    counter<CgroupPsiStat>("total_ns", &CgroupPsiStat::total_ns),
    req<CgroupPsiStat>("avg10_raw", &CgroupPsiStat::avg10_raw),
    req<CgroupPsiStat>("serial_nr", &CgroupPsiStat::serial_nr)};

inline const std::array kNumaFields{
    req<PerNodeNumaStats>("node", &PerNodeNumaStats::node),
    counter<PerNodeNumaStats>("numa_hit", &PerNodeNumaStats::numa_hit),
    counter<PerNodeNumaStats>("numa_miss", &PerNodeNumaStats::numa_miss),
    counter<PerNodeNumaStats>("numa_foreign", &PerNodeNumaStats::numa_foreign),
    counter<PerNodeNumaStats>("numa_interleave_hit", &PerNodeNumaStats::numa_interleave_hit),
    counter<PerNodeNumaStats>("numa_local", &PerNodeNumaStats::numa_local),
    counter<PerNodeNumaStats>("numa_other", &PerNodeNumaStats::numa_other)};

inline const std::array kEventFields{
    req<EventCounterSample>("elapsed_ms", &EventCounterSample::elapsed_ms),
    counter<EventCounterSample>("select_cpu_fallback", &EventCounterSample::select_cpu_fallback),
    counter<EventCounterSample>("dispatch_local_dsq_offline", &EventCounterSample::dispatch_local_dsq_offline),
    counter<EventCounterSample>("dispatch_keep_last", &EventCounterSample::dispatch_keep_last),
    counter<EventCounterSample>("enq_skip_exiting", &EventCounterSample::enq_skip_exiting),
    counter<EventCounterSample>("enq_skip_migration_disabled", &EventCounterSample::enq_skip_migration_disabled),
    counter<EventCounterSample>("reenq_immed", &EventCounterSample::reenq_immed),
    counter<EventCounterSample>("reenq_local_repeat", &EventCounterSample::reenq_local_repeat),
    counter<EventCounterSample>("refill_slice_dfl", &EventCounterSample::refill_slice_dfl),
    counter<EventCounterSample>("bypass_duration", &EventCounterSample::bypass_duration),
    counter<EventCounterSample>("bypass_dispatch", &EventCounterSample::bypass_dispatch),
    counter<EventCounterSample>("bypass_activate", &EventCounterSample::bypass_activate),
    counter<EventCounterSample>("insert_not_owned", &EventCounterSample::insert_not_owned),
    counter<EventCounterSample>("sub_bypass_dispatch", &EventCounterSample::sub_bypass_dispatch)};

inline const std::array kProbeFields{
    counter<ProbeBssCounters>("probe_count", &ProbeBssCounters::probe_count),
    counter<ProbeBssCounters>("kprobe_returns", &ProbeBssCounters::kprobe_returns),
    counter<ProbeBssCounters>("meta_miss", &ProbeBssCounters::meta_miss),
    counter<ProbeBssCounters>("ringbuf_drops", &ProbeBssCounters::ringbuf_drops),
    counter<ProbeBssCounters>("timeline_count", &ProbeBssCounters::timeline_count),
    counter<ProbeBssCounters>("timeline_drops", &ProbeBssCounters::timeline_drops),
    counter<ProbeBssCounters>("pi_count", &ProbeBssCounters::pi_count),
    counter<ProbeBssCounters>("pi_orphan_fexits", &ProbeBssCounters::pi_orphan_fexits),
    counter<ProbeBssCounters>("pi_class_change_count", &ProbeBssCounters::pi_class_change_count),
    counter<ProbeBssCounters>("pi_drops", &ProbeBssCounters::pi_drops),
    counter<ProbeBssCounters>("lock_contend_count", &ProbeBssCounters::lock_contend_count),
    counter<ProbeBssCounters>("lock_contend_drops", &ProbeBssCounters::lock_contend_drops),
    counter<ProbeBssCounters>("preempt_disable_count", &ProbeBssCounters::preempt_disable_count),
    counter<ProbeBssCounters>("preempt_enable_count", &ProbeBssCounters::preempt_enable_count),
    counter<ProbeBssCounters>("trigger_count", &ProbeBssCounters::trigger_count)};

inline const std::array kRqFields{
    req<RqScxState>("cpu", &RqScxState::cpu),
    req<RqScxState>("nr_running", &RqScxState::nr_running),
    req<RqScxState>("flags", &RqScxState::flags),
    req<RqScxState>("cpu_released", &RqScxState::cpu_released),
    req<RqScxState>("ops_qseq", &RqScxState::ops_qseq),
    opt<RqScxState>("kick_sync", &RqScxState::kick_sync),
    opt<RqScxState>("nr_immed", &RqScxState::nr_immed),
    opt<RqScxState>("rq_clock", &RqScxState::rq_clock),
    opt<RqScxState>("curr_pid", &RqScxState::curr_pid),
    opt<RqScxState>("curr_comm", &RqScxState::curr_comm),
    req<RqScxState>("runnable_task_kvas", &RqScxState::runnable_task_kvas),
    opt<RqScxState>("runnable_truncated", &RqScxState::runnable_truncated)};

inline const std::array kDsqFields{
    req<DsqState>("id", &DsqState::id),
    req<DsqState>("origin", &DsqState::origin),
    req<DsqState>("nr", &DsqState::nr),
    req<DsqState>("seq", &DsqState::seq),
    req<DsqState>("task_kvas", &DsqState::task_kvas),
    opt<DsqState>("truncated", &DsqState::truncated)};

inline const std::array kSchedFields{
    req<ScxSchedState>("aborting", &ScxSchedState::aborting),
    req<ScxSchedState>("bypass_depth", &ScxSchedState::bypass_depth),
    req<ScxSchedState>("exit_kind", &ScxSchedState::exit_kind),
    opt<ScxSchedState>("watchdog_timeout", &ScxSchedState::watchdog_timeout),
    opt<ScxSchedState>("source", &ScxSchedState::source),
    opt<ScxSchedState>("sched_kva", &ScxSchedState::sched_kva)};

inline const std::array kRingbufFields{
    req<FailureDumpRingbuf>("capacity", &FailureDumpRingbuf::capacity),
    counter<FailureDumpRingbuf>("consumer_pos", &FailureDumpRingbuf::consumer_pos),
    counter<FailureDumpRingbuf>("producer_pos", &FailureDumpRingbuf::producer_pos),
    req<FailureDumpRingbuf>("pending_pos", &FailureDumpRingbuf::pending_pos),
    req<FailureDumpRingbuf>("pending_bytes", &FailureDumpRingbuf::pending_bytes)};

inline const std::array kTriggerFields{
    req<CaptureTrigger>("kind", &CaptureTrigger::kind),
    req<CaptureTrigger>("detail", &CaptureTrigger::detail),
    req<CaptureTrigger>("fired_at", &CaptureTrigger::fired_at),
    req<CaptureTrigger>("event_to_capture_us", &CaptureTrigger::event_to_capture_us),
    req<CaptureTrigger>("armed_ms", &CaptureTrigger::armed_ms)};

inline const std::array kCaptureFields{
    req<CaptureInfo>("host", &CaptureInfo::host),
    req<CaptureInfo>("kernel_release", &CaptureInfo::kernel_release),
    req<CaptureInfo>("captured_at", &CaptureInfo::captured_at),
    req<CaptureInfo>("tool_version", &CaptureInfo::tool_version),
    req<CaptureInfo>("duration_us", &CaptureInfo::duration_us),
    opt<CaptureInfo>("max_value_bytes", &CaptureInfo::max_value_bytes),
    opt<CaptureInfo>("values_truncated", &CaptureInfo::values_truncated),
    opt<CaptureInfo>("max_array_elements", &CaptureInfo::max_array_elements),
    opt<CaptureInfo>("stopped_by", &CaptureInfo::stopped_by),
    opt<CaptureInfo>("trigger", &CaptureInfo::trigger)};

// ---- map contents ---------------------------------------------------------------

inline const std::array kHashEntryFields{
    opt<FailureDumpEntry>("key", &FailureDumpEntry::key),
    req<FailureDumpEntry>("key_hex", &FailureDumpEntry::key_hex),
    opt<FailureDumpEntry>("value", &FailureDumpEntry::value),
    req<FailureDumpEntry>("value_hex", &FailureDumpEntry::value_hex),
    opt<FailureDumpEntry>("payload", &FailureDumpEntry::payload)};

inline const std::array kArrayEntryFields{
    req<FailureDumpArrayEntry>("key", &FailureDumpArrayEntry::key),
    opt<FailureDumpArrayEntry>("value", &FailureDumpArrayEntry::value)};

inline const std::array kPercpuEntryFields{
    req<FailureDumpPercpuEntry>("key", &FailureDumpPercpuEntry::key),
    req<FailureDumpPercpuEntry>("per_cpu", &FailureDumpPercpuEntry::per_cpu)};

inline const std::array kPercpuHashEntryFields{
    opt<FailureDumpPercpuHashEntry>("key", &FailureDumpPercpuHashEntry::key),
    req<FailureDumpPercpuHashEntry>("key_hex", &FailureDumpPercpuHashEntry::key_hex),
    req<FailureDumpPercpuHashEntry>("per_cpu", &FailureDumpPercpuHashEntry::per_cpu)};

inline const std::array kArenaPageFields{
    req<ArenaPage>("user_addr", &ArenaPage::user_addr),
    req<ArenaPage>("bytes", &ArenaPage::bytes)};

inline const std::array kArenaFields{
    opt<ArenaSnapshot>("pages", &ArenaSnapshot::pages),
    opt<ArenaSnapshot>("truncated", &ArenaSnapshot::truncated),
    req<ArenaSnapshot>("declared_pages", &ArenaSnapshot::declared_pages),
    opt<ArenaSnapshot>("span_capped", &ArenaSnapshot::span_capped),
    req<ArenaSnapshot>("kern_vm_start", &ArenaSnapshot::kern_vm_start),
    req<ArenaSnapshot>("user_vm_start", &ArenaSnapshot::user_vm_start)};

inline const std::array kStackEntryFields{
    req<FailureDumpStackTraceEntry>("bucket_id", &FailureDumpStackTraceEntry::bucket_id),
    req<FailureDumpStackTraceEntry>("nr", &FailureDumpStackTraceEntry::nr),
    opt<FailureDumpStackTraceEntry>("pcs", &FailureDumpStackTraceEntry::pcs),
    req<FailureDumpStackTraceEntry>("data_hex", &FailureDumpStackTraceEntry::data_hex)};

inline const std::array kStackTraceFields{
    req<FailureDumpStackTrace>("n_buckets", &FailureDumpStackTrace::n_buckets),
    req<FailureDumpStackTrace>("entries", &FailureDumpStackTrace::entries),
    opt<FailureDumpStackTrace>("truncated", &FailureDumpStackTrace::truncated),
    opt<FailureDumpStackTrace>("buckets_unreadable", &FailureDumpStackTrace::buckets_unreadable)};

inline const std::array kFdArrayFields{
    req<FailureDumpFdArray>("populated", &FailureDumpFdArray::populated),
    req<FailureDumpFdArray>("scanned", &FailureDumpFdArray::scanned),
    opt<FailureDumpFdArray>("indices", &FailureDumpFdArray::indices),
    opt<FailureDumpFdArray>("truncated", &FailureDumpFdArray::truncated),
    opt<FailureDumpFdArray>("indices_truncated", &FailureDumpFdArray::indices_truncated),
    opt<FailureDumpFdArray>("unreadable", &FailureDumpFdArray::unreadable),
    opt<FailureDumpFdArray>("inner_map_ids", &FailureDumpFdArray::inner_map_ids)};

/// Written in two halves around a streamed entry list (capture): the fields
/// before kMapHeadFields (the head) and from there on.
inline const std::array kMapFields{
    req<FailureDumpMap>("name", &FailureDumpMap::name),
    opt<FailureDumpMap>("map_kva", &FailureDumpMap::map_kva),
    opt<FailureDumpMap>("map_id", &FailureDumpMap::map_id),
    opt<FailureDumpMap>("btf_id", &FailureDumpMap::btf_id),
    req<FailureDumpMap>("map_type", &FailureDumpMap::map_type),
    req<FailureDumpMap>("value_size", &FailureDumpMap::value_size),
    req<FailureDumpMap>("max_entries", &FailureDumpMap::max_entries),
    opt<FailureDumpMap>("value", &FailureDumpMap::value),
    opt<FailureDumpMap>("entries", &FailureDumpMap::entries),
    opt<FailureDumpMap>("array_entries", &FailureDumpMap::array_entries),
    opt<FailureDumpMap>("percpu_entries", &FailureDumpMap::percpu_entries),
    opt<FailureDumpMap>("percpu_hash_entries", &FailureDumpMap::percpu_hash_entries),
    opt<FailureDumpMap>("arena", &FailureDumpMap::arena),
    opt<FailureDumpMap>("ringbuf", &FailureDumpMap::ringbuf),
    opt<FailureDumpMap>("stack_trace", &FailureDumpMap::stack_trace),
    opt<FailureDumpMap>("fd_array", &FailureDumpMap::fd_array),
    opt<FailureDumpMap>("error", &FailureDumpMap::error)};
inline constexpr std::size_t kMapHeadFields = 7;  // name .. max_entries
/// `value`, then the four entry lists (the piecewise converter writes them
/// in this order, reading each in chunks).
inline constexpr std::size_t kMapValueField = 7;
/// `arena` (a capture writes its pages one at a time).
inline constexpr std::size_t kMapArenaField = 12;

// ---- the report and the other dump kinds -------------------------------------------

/// pid, tgid, comm; every other key is kept in `rest` (serde's flatten).
inline const std::array kTaskFields{
    req<TaskEnrichment>("pid", &TaskEnrichment::pid),
    req<TaskEnrichment>("tgid", &TaskEnrichment::tgid),
    req<TaskEnrichment>("comm", &TaskEnrichment::comm)};

/// `maps` is written in three parts too (capture streams it): the fields
/// before kReportMapsField, the maps, the fields after.
inline const std::array kReportFields{
    checked(req<FailureDumpReport>("schema", &FailureDumpReport::schema), check_single_schema),
    req<FailureDumpReport>("maps", &FailureDumpReport::maps),
    checked(opt<FailureDumpReport>("vcpu_regs", &FailureDumpReport::vcpu_regs), check_vcpu_regs),
    opt<FailureDumpReport>("active_obj_name", &FailureDumpReport::active_obj_name),
    opt<FailureDumpReport>("active_map_kvas", &FailureDumpReport::active_map_kvas),
    opt<FailureDumpReport>("active_map_ids", &FailureDumpReport::active_map_ids),
    checked(opt<FailureDumpReport>("sdt_allocations", &FailureDumpReport::sdt_allocations), check_sdt_allocations),
    skipped_if(checked(opt<FailureDumpReport>("scx_static_ranges", &FailureDumpReport::scx_static_ranges), check_static_ranges), static_ranges_skipped),
    opt<FailureDumpReport>("sdt_alloc_unavailable", &FailureDumpReport::sdt_alloc_unavailable),
    opt<FailureDumpReport>("prog_runtime_stats", &FailureDumpReport::prog_runtime_stats),
    opt<FailureDumpReport>("prog_runtime_stats_unavailable", &FailureDumpReport::prog_runtime_stats_unavailable),
    opt<FailureDumpReport>("per_cpu_time", &FailureDumpReport::per_cpu_time),
    opt<FailureDumpReport>("cgroup_psi", &FailureDumpReport::cgroup_psi),
    opt<FailureDumpReport>("per_node_numa", &FailureDumpReport::per_node_numa),
    opt<FailureDumpReport>("per_node_numa_unavailable", &FailureDumpReport::per_node_numa_unavailable),
    opt<FailureDumpReport>("task_enrichments", &FailureDumpReport::task_enrichments),
    opt<FailureDumpReport>("task_enrichments_unavailable", &FailureDumpReport::task_enrichments_unavailable),
    opt<FailureDumpReport>("event_counter_timeline", &FailureDumpReport::event_counter_timeline),
    opt<FailureDumpReport>("rq_scx_states", &FailureDumpReport::rq_scx_states),
    opt<FailureDumpReport>("dsq_states", &FailureDumpReport::dsq_states),
    opt<FailureDumpReport>("scx_sched_state", &FailureDumpReport::scx_sched_state),
    opt<FailureDumpReport>("scx_walker_unavailable", &FailureDumpReport::scx_walker_unavailable),
    checked(opt<FailureDumpReport>("vcpu_perf_at_freeze", &FailureDumpReport::vcpu_perf_at_freeze), check_vcpu_perf),
    opt<FailureDumpReport>("dump_truncated_at_us", &FailureDumpReport::dump_truncated_at_us),
    opt<FailureDumpReport>("maps_truncated", &FailureDumpReport::maps_truncated),
    opt<FailureDumpReport>("probe_counters", &FailureDumpReport::probe_counters),
    opt<FailureDumpReport>("is_placeholder", &FailureDumpReport::is_placeholder),
    opt<FailureDumpReport>("capture", &FailureDumpReport::capture)};
inline constexpr std::size_t kReportMapsField = 1;

/// After `"schema":"dual"` (the variant is the tag).
inline const std::array kDualFields{
    opt<DualFailureDumpReport>("early", &DualFailureDumpReport::early),
    req<DualFailureDumpReport>("late", &DualFailureDumpReport::late),
    opt<DualFailureDumpReport>("early_max_age_jiffies", &DualFailureDumpReport::early_max_age_jiffies),
    opt<DualFailureDumpReport>("early_threshold_jiffies", &DualFailureDumpReport::early_threshold_jiffies),
    opt<DualFailureDumpReport>("early_skipped_reason", &DualFailureDumpReport::early_skipped_reason)};

/// After `"schema":"degraded"`.
inline const std::array kDegradedFields{
    req<DegradedFailureDumpReport>("reason", &DegradedFailureDumpReport::reason),
    checked(opt<DegradedFailureDumpReport>("vcpu_regs", &DegradedFailureDumpReport::vcpu_regs), check_degraded_vcpu_regs),
    req<DegradedFailureDumpReport>("watchpoint_hit", &DegradedFailureDumpReport::watchpoint_hit),
    checked(req<DegradedFailureDumpReport>("bss_latch_state", &DegradedFailureDumpReport::bss_latch_state), check_latch_state),
    opt<DegradedFailureDumpReport>("exit_kind", &DegradedFailureDumpReport::exit_kind),
    opt<DegradedFailureDumpReport>("elapsed_ms", &DegradedFailureDumpReport::elapsed_ms)};

/// The table of a described type.
inline const auto& fields_of(const ProgRuntimeStats*) { return kProgFields; }
inline const auto& fields_of(const PerCpuTimeStats*) { return kCpuTimeFields; }
inline const auto& fields_of(const CgroupPsiStat*) { return kPsiFields; }
inline const auto& fields_of(const PerNodeNumaStats*) { return kNumaFields; }
inline const auto& fields_of(const EventCounterSample*) { return kEventFields; }
inline const auto& fields_of(const ProbeBssCounters*) { return kProbeFields; }
inline const auto& fields_of(const RqScxState*) { return kRqFields; }
inline const auto& fields_of(const DsqState*) { return kDsqFields; }
inline const auto& fields_of(const ScxSchedState*) { return kSchedFields; }
inline const auto& fields_of(const FailureDumpRingbuf*) { return kRingbufFields; }
inline const auto& fields_of(const CaptureInfo*) { return kCaptureFields; }
inline const auto& fields_of(const CaptureTrigger*) { return kTriggerFields; }
inline const auto& fields_of(const FailureDumpEntry*) { return kHashEntryFields; }
inline const auto& fields_of(const FailureDumpArrayEntry*) { return kArrayEntryFields; }
inline const auto& fields_of(const FailureDumpPercpuEntry*) { return kPercpuEntryFields; }
inline const auto& fields_of(const FailureDumpPercpuHashEntry*) { return kPercpuHashEntryFields; }
inline const auto& fields_of(const ArenaPage*) { return kArenaPageFields; }
inline const auto& fields_of(const ArenaSnapshot*) { return kArenaFields; }
inline const auto& fields_of(const FailureDumpStackTraceEntry*) { return kStackEntryFields; }
inline const auto& fields_of(const FailureDumpStackTrace*) { return kStackTraceFields; }
inline const auto& fields_of(const FailureDumpFdArray*) { return kFdArrayFields; }
inline const auto& fields_of(const FailureDumpMap*) { return kMapFields; }
inline const auto& fields_of(const TaskEnrichment*) { return kTaskFields; }
inline const auto& fields_of(const FailureDumpReport*) { return kReportFields; }
inline const auto& fields_of(const DualFailureDumpReport*) { return kDualFields; }
inline const auto& fields_of(const DegradedFailureDumpReport*) { return kDegradedFields; }
// clang-format on

template <class T>
concept Described = requires {
  fields_of(static_cast<const T*>(nullptr));
};

/// Whether a member holds its default (none, false, 0, empty).
template <class S>
bool is_default(const S& s, const FieldMember<S>& m) {
  return std::visit(
      [&](auto p) {
        const auto& v = s.*p;
        using V = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>)
          return !v;
        else if constexpr (std::is_arithmetic_v<V>)
          return v == 0;
        else if constexpr (std::is_same_v<V, FailureDumpReport>)
          return false;
        else if constexpr (requires { v.has_value(); })
          return !v.has_value();
        else
          return v.empty();
      },
      m);
}

/// Whether the writer leaves the member out.
template <class S>
bool is_skipped(const S& s, const Field<S>& f) {
  if (f.skip) return f.skip(s);
  return f.presence == Presence::Default && is_default(s, f.member);
}

/// fn(name, a_value, b_value) for every counter of the table (as 64-bit
/// integers of the member's signedness).
template <class S, std::size_t N, class Fn>
void for_each_counter(const S& a, const S& b, const std::array<Field<S>, N>& fields, Fn&& fn) {
  for (const auto& f : fields) {
    if (!f.counter) continue;
    std::visit(
        [&](auto p) {
          using V = std::remove_cvref_t<decltype(a.*p)>;
          if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>) {
            using W = std::conditional_t<std::is_signed_v<V>, std::int64_t, std::uint64_t>;
            fn(f.name, static_cast<W>(a.*p), static_cast<W>(b.*p));
          }
        },
        f.member);
  }
}

}  // namespace scxsnap::detail
