// SPDX-License-Identifier: Apache-2.0
// One description per flat ktstr struct (the host-context records: program
// stats, per-CPU time, PSI, NUMA, event counters, rq/DSQ/sched state, probe
// counters, ring buffer positions, capture facts). Each table lists the
// members in JSON order with their type (as a typed member pointer), whether
// serde requires them on input, and whether they are counters. The reader,
// the writer, `diff` and the `check` projections all walk these tables, so
// adding a ktstr field is one line here.
//
// Skip rule on output (ktstr's skip_serializing_if): a required member is
// always written; a member that is not required is skipped while it holds
// its default (none, false, 0, an empty list).
#pragma once

#include "scxsnap/report.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace scxsnap::detail {

template <class S>
using FlatMember =
    std::variant<std::uint64_t S::*, std::uint32_t S::*, std::int64_t S::*, std::int32_t S::*,
                 bool S::*, std::string S::*, std::optional<std::uint64_t> S::*,
                 std::optional<std::uint32_t> S::*, std::optional<std::int32_t> S::*,
                 std::optional<std::string> S::*, std::vector<std::uint64_t> S::*>;

template <class S>
struct FlatField {
  std::string_view name;
  FlatMember<S> member;
  bool required = true;
  /// A monotonic counter: `diff` shows its delta, `check` can project it.
  bool counter = false;
};

template <class S>
constexpr FlatField<S> req(std::string_view name, FlatMember<S> m, bool counter = false) {
  return {name, m, true, counter};
}
template <class S>
constexpr FlatField<S> opt(std::string_view name, FlatMember<S> m) {
  return {name, m, false, false};
}
template <class S>
constexpr FlatField<S> counter(std::string_view name, FlatMember<S> m) {
  return {name, m, true, true};
}

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
    req<PerCpuTimeStats>("softirqs", &PerCpuTimeStats::softirqs),
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

inline const std::array kCaptureFields{
    req<CaptureInfo>("host", &CaptureInfo::host),
    req<CaptureInfo>("kernel_release", &CaptureInfo::kernel_release),
    req<CaptureInfo>("captured_at", &CaptureInfo::captured_at),
    req<CaptureInfo>("tool_version", &CaptureInfo::tool_version),
    req<CaptureInfo>("duration_us", &CaptureInfo::duration_us),
    opt<CaptureInfo>("max_value_bytes", &CaptureInfo::max_value_bytes),
    opt<CaptureInfo>("values_truncated", &CaptureInfo::values_truncated),
    opt<CaptureInfo>("max_array_elements", &CaptureInfo::max_array_elements),
    opt<CaptureInfo>("stopped_by", &CaptureInfo::stopped_by)};
// clang-format on

/// Whether a member that is not required holds its default (then it is
/// not written).
template <class S>
bool flat_is_default(const S& s, const FlatMember<S>& m) {
  return std::visit(
      [&](auto p) {
        const auto& v = s.*p;
        using V = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>)
          return !v;
        else if constexpr (std::is_arithmetic_v<V>)
          return v == 0;
        else if constexpr (std::is_same_v<V, std::string> ||
                           std::is_same_v<V, std::vector<std::uint64_t>>)
          return v.empty();
        else
          return !v.has_value();
      },
      m);
}

/// fn(name, a_value, b_value) for every counter of the table (as 64-bit
/// integers of the member's signedness).
template <class S, std::size_t N, class Fn>
void for_each_counter(const S& a, const S& b, const std::array<FlatField<S>, N>& fields, Fn&& fn) {
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
