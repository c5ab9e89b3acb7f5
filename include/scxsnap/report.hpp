// SPDX-License-Identifier: Apache-2.0
// The report model: FailureDumpReport and every nested type, with ktstr's
// field names, and its JSON reader/writer (serde shape, byte-compatible).
//
// Plain structs with public fields; declaration order is JSON key order.
// Comments name the serde rule: "skip if empty/none/false/zero" fields are
// omitted from the output when so, and may be absent on input; the rest are
// required on input.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/json_value.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/rendered_value.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap {

inline constexpr std::string_view kSchemaSingle = "single";
inline constexpr std::string_view kSchemaDual = "dual";
inline constexpr std::string_view kSchemaDegraded = "degraded";

// ---- map contents --------------------------------------------------------

/// One HASH-family entry.
struct SCXSNAP_API FailureDumpEntry {
  std::optional<RenderedValue> key;    // skip if none
  std::string key_hex;                 // "de ad be ef"
  std::optional<RenderedValue> value;  // skip if none
  std::string value_hex;
  std::optional<RenderedValue> payload;  // skip if none (sdt_alloc payload)
  friend bool operator==(const FailureDumpEntry&, const FailureDumpEntry&) = default;
};

/// One slot of a multi-entry ARRAY map.
struct SCXSNAP_API FailureDumpArrayEntry {
  std::uint32_t key = 0;
  std::optional<RenderedValue> value;  // skip if none (slot unreadable)
  friend bool operator==(const FailureDumpArrayEntry&, const FailureDumpArrayEntry&) = default;
};

/// One PERCPU_ARRAY key: one slot per CPU (null = unmapped).
struct SCXSNAP_API FailureDumpPercpuEntry {
  std::uint32_t key = 0;
  std::vector<std::optional<RenderedValue>> per_cpu;
  friend bool operator==(const FailureDumpPercpuEntry&, const FailureDumpPercpuEntry&) = default;
};

/// One PERCPU_HASH / LRU_PERCPU_HASH entry.
struct SCXSNAP_API FailureDumpPercpuHashEntry {
  std::optional<RenderedValue> key;  // skip if none
  std::string key_hex;
  std::vector<std::optional<RenderedValue>> per_cpu;
  friend bool operator==(const FailureDumpPercpuHashEntry&,
                         const FailureDumpPercpuHashEntry&) = default;
};

struct SCXSNAP_API FailureDumpRingbuf {
  std::uint64_t capacity = 0;
  std::uint64_t consumer_pos = 0;
  std::uint64_t producer_pos = 0;
  std::uint64_t pending_pos = 0;
  std::uint64_t pending_bytes = 0;
  friend bool operator==(const FailureDumpRingbuf&, const FailureDumpRingbuf&) = default;
};

struct SCXSNAP_API FailureDumpStackTraceEntry {
  std::uint32_t bucket_id = 0;
  std::uint32_t nr = 0;
  std::vector<std::uint64_t> pcs;  // skip if empty
  std::string data_hex;
  friend bool operator==(const FailureDumpStackTraceEntry&,
                         const FailureDumpStackTraceEntry&) = default;
};

struct SCXSNAP_API FailureDumpStackTrace {
  std::uint32_t n_buckets = 0;
  std::vector<FailureDumpStackTraceEntry> entries;
  bool truncated = false;                // skip if false
  std::uint32_t buckets_unreadable = 0;  // skip if zero
  friend bool operator==(const FailureDumpStackTrace&, const FailureDumpStackTrace&) = default;
};

struct SCXSNAP_API FailureDumpFdArray {
  std::uint32_t populated = 0;
  std::uint32_t scanned = 0;
  std::vector<std::uint32_t> indices;  // skip if empty
  bool truncated = false;              // skip if false
  bool indices_truncated = false;      // skip if false
  std::uint32_t unreadable = 0;        // skip if zero
  // scxsnap addition, maps of maps: the inner map id of each of `indices`
  // (what a lookup from user space returns); skip if empty.
  std::vector<std::uint32_t> inner_map_ids;
  friend bool operator==(const FailureDumpFdArray&, const FailureDumpFdArray&) = default;
};

struct SCXSNAP_API ArenaPage {
  std::uint64_t user_addr = 0;
  std::vector<std::uint8_t> bytes;  // a JSON array of small integers
  friend bool operator==(const ArenaPage&, const ArenaPage&) = default;
};

struct SCXSNAP_API ArenaSnapshot {
  std::vector<ArenaPage> pages;  // skip if empty
  bool truncated = false;        // skip if false
  std::uint64_t declared_pages = 0;
  bool span_capped = false;  // skip if false
  std::uint64_t kern_vm_start = 0;
  std::uint64_t user_vm_start = 0;
  friend bool operator==(const ArenaSnapshot&, const ArenaSnapshot&) = default;
};

/// One BPF map's rendering.
struct SCXSNAP_API FailureDumpMap {
  std::string name;
  std::uint64_t map_kva = 0;  // skip if zero
  std::uint32_t map_id = 0;   // scxsnap addition, skip if zero
  std::uint32_t btf_id = 0;   // scxsnap addition: the object's BTF (one per object), skip if zero
  std::uint32_t map_type = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
  std::optional<RenderedValue> value;                           // skip if none
  std::vector<FailureDumpEntry> entries;                        // skip if empty
  std::vector<FailureDumpArrayEntry> array_entries;             // skip if empty
  std::vector<FailureDumpPercpuEntry> percpu_entries;           // skip if empty
  std::vector<FailureDumpPercpuHashEntry> percpu_hash_entries;  // skip if empty
  std::optional<ArenaSnapshot> arena;                           // skip if none
  std::optional<FailureDumpRingbuf> ringbuf;                    // skip if none
  std::optional<FailureDumpStackTrace> stack_trace;             // skip if none
  std::optional<FailureDumpFdArray> fd_array;                   // skip if none
  std::optional<std::string> error;                             // skip if none
  friend bool operator==(const FailureDumpMap&, const FailureDumpMap&) = default;
};

// ---- host and scheduler context ------------------------------------------

struct SCXSNAP_API ProgRuntimeStats {
  std::string name;
  std::uint64_t cnt = 0;
  std::uint64_t nsecs = 0;
  std::uint64_t misses = 0;
  friend bool operator==(const ProgRuntimeStats&, const ProgRuntimeStats&) = default;
};

inline constexpr std::size_t kNrSoftirqs = 10;

struct SCXSNAP_API PerCpuTimeStats {
  std::uint32_t cpu = 0;
  std::uint64_t cpustat_user_ns = 0;
  std::uint64_t cpustat_nice_ns = 0;
  std::uint64_t cpustat_system_ns = 0;
  std::uint64_t cpustat_softirq_ns = 0;
  std::uint64_t cpustat_irq_ns = 0;
  std::uint64_t cpustat_idle_ns = 0;
  std::uint64_t cpustat_iowait_ns = 0;
  std::uint64_t cpustat_steal_ns = 0;
  /// HI, TIMER, NET_TX, NET_RX, BLOCK, IRQ_POLL, TASKLET, SCHED, HRTIMER, RCU.
  std::vector<std::uint64_t> softirqs;
  std::uint64_t irqs_sum = 0;
  std::optional<std::uint64_t> iowait_sleeptime_ns;  // skip if none
  friend bool operator==(const PerCpuTimeStats&, const PerCpuTimeStats&) = default;
};

struct SCXSNAP_API PerNodeNumaStats {
  std::uint32_t node = 0;
  std::uint64_t numa_hit = 0;
  std::uint64_t numa_miss = 0;
  std::uint64_t numa_foreign = 0;
  std::uint64_t numa_interleave_hit = 0;
  std::uint64_t numa_local = 0;
  std::uint64_t numa_other = 0;
  friend bool operator==(const PerNodeNumaStats&, const PerNodeNumaStats&) = default;
};

struct SCXSNAP_API CgroupPsiStat {
  std::uint64_t cgroup_kva = 0;
  std::uint64_t total_ns = 0;
  std::uint64_t avg10_raw = 0;
  std::uint64_t serial_nr = 0;
  friend bool operator==(const CgroupPsiStat&, const CgroupPsiStat&) = default;
};

/// The 13 SCX_EV_* counters summed across CPUs at one point in time.
struct SCXSNAP_API EventCounterSample {
  std::uint64_t elapsed_ms = 0;
  std::int64_t select_cpu_fallback = 0;
  std::int64_t dispatch_local_dsq_offline = 0;
  std::int64_t dispatch_keep_last = 0;
  std::int64_t enq_skip_exiting = 0;
  std::int64_t enq_skip_migration_disabled = 0;
  std::int64_t reenq_immed = 0;
  std::int64_t reenq_local_repeat = 0;
  std::int64_t refill_slice_dfl = 0;
  std::int64_t bypass_duration = 0;
  std::int64_t bypass_dispatch = 0;
  std::int64_t bypass_activate = 0;
  std::int64_t insert_not_owned = 0;
  std::int64_t sub_bypass_dispatch = 0;
  friend bool operator==(const EventCounterSample&, const EventCounterSample&) = default;
};

struct SCXSNAP_API ProbeBssCounters {
  std::uint64_t probe_count = 0;
  std::uint64_t kprobe_returns = 0;
  std::uint64_t meta_miss = 0;
  std::uint64_t ringbuf_drops = 0;
  std::uint64_t timeline_count = 0;
  std::uint64_t timeline_drops = 0;
  std::uint64_t pi_count = 0;
  std::uint64_t pi_orphan_fexits = 0;
  std::uint64_t pi_class_change_count = 0;
  std::uint64_t pi_drops = 0;
  std::uint64_t lock_contend_count = 0;
  std::uint64_t lock_contend_drops = 0;
  std::uint64_t preempt_disable_count = 0;
  std::uint64_t preempt_enable_count = 0;
  std::uint64_t trigger_count = 0;
  friend bool operator==(const ProbeBssCounters&, const ProbeBssCounters&) = default;
};

struct SCXSNAP_API RqScxState {
  std::uint32_t cpu = 0;
  std::uint32_t nr_running = 0;
  std::uint32_t flags = 0;
  bool cpu_released = false;
  std::uint64_t ops_qseq = 0;
  std::optional<std::uint64_t> kick_sync;  // skip if none
  std::optional<std::uint32_t> nr_immed;   // skip if none
  std::optional<std::uint64_t> rq_clock;   // skip if none
  std::optional<std::int32_t> curr_pid;    // skip if none
  std::optional<std::string> curr_comm;    // skip if none
  std::vector<std::uint64_t> runnable_task_kvas;
  bool runnable_truncated = false;  // skip if false
  friend bool operator==(const RqScxState&, const RqScxState&) = default;
};

struct SCXSNAP_API DsqState {
  std::uint64_t id = 0;
  std::string origin;  // "local cpu N", "bypass cpu N", "global node N", "user"
  std::uint32_t nr = 0;
  std::uint32_t seq = 0;
  std::vector<std::uint64_t> task_kvas;
  bool truncated = false;  // skip if false
  friend bool operator==(const DsqState&, const DsqState&) = default;
};

struct SCXSNAP_API ScxSchedState {
  bool aborting = false;
  std::int32_t bypass_depth = 0;
  std::uint32_t exit_kind = 0;
  std::optional<std::uint64_t> watchdog_timeout;  // skip if none
  std::optional<std::string> source;              // skip if none ("live", "bss_snapshot")
  std::optional<std::uint64_t> sched_kva;         // skip if none
  friend bool operator==(const ScxSchedState&, const ScxSchedState&) = default;
};

/// Per-task details. pid, tgid and comm are typed; every other key is kept
/// in input order and written back unchanged.
struct SCXSNAP_API TaskEnrichment {
  std::int32_t pid = 0;
  std::int32_t tgid = 0;
  std::string comm;
  std::vector<JsonValue::Member> rest;
  /// A kept field by name (e.g. "weight"); nullptr when absent.
  const JsonValue* field(std::string_view name) const;
  friend bool operator==(const TaskEnrichment&, const TaskEnrichment&) = default;
};

/// scxsnap addition: what made a failure capture (`capture --on-exit`) fire.
struct SCXSNAP_API CaptureTrigger {
  /// "pid-exit", "struct-ops-detach", "sched-ext-state", "until",
  /// "until-fails", "signal" or "timeout".
  std::string kind;
  std::string detail;                     // what exactly ("pid 4242 exited", the expression)
  std::string fired_at;                   // RFC 3339 UTC, when scxsnap saw the event
  std::uint64_t event_to_capture_us = 0;  // from seeing the event to the capture's start
  std::uint64_t armed_ms = 0;             // how long the capture was armed
  friend bool operator==(const CaptureTrigger&, const CaptureTrigger&) = default;
};

/// scxsnap addition: where and when a live capture was taken.
struct SCXSNAP_API CaptureInfo {
  std::string host;
  std::string kernel_release;
  std::string captured_at;  // RFC 3339 UTC
  std::string tool_version;
  std::uint64_t duration_us = 0;
  std::uint64_t max_value_bytes = 0;      // the render budget in force; skip if zero
  std::uint64_t values_truncated = 0;     // values cut to that budget; skip if zero
  std::uint64_t max_array_elements = 0;   // array cap when not ktstr's 4096; skip if zero
  std::optional<std::string> stopped_by;  // "deadline" or "signal"; skip if none
  std::optional<CaptureTrigger> trigger;  // a failure capture's trigger; skip if none
  friend bool operator==(const CaptureInfo&, const CaptureInfo&) = default;
};

// ---- the report -----------------------------------------------------------

struct SCXSNAP_API FailureDumpReport {
  std::string schema{kSchemaSingle};
  std::vector<FailureDumpMap> maps;
  std::vector<JsonValue> vcpu_regs;                  // opaque, skip if empty (entries may be null)
  std::optional<std::string> active_obj_name;        // skip if none
  std::vector<std::uint64_t> active_map_kvas;        // skip if empty
  std::vector<std::uint32_t> active_map_ids;         // scxsnap addition, skip if empty
  std::vector<JsonValue> sdt_allocations;            // opaque, skip if empty
  std::optional<JsonValue> scx_static_ranges;        // opaque, skip if none
  std::optional<std::string> sdt_alloc_unavailable;  // skip if none
  std::vector<ProgRuntimeStats> prog_runtime_stats;  // skip if empty
  std::optional<std::string> prog_runtime_stats_unavailable;  // skip if none
  std::vector<PerCpuTimeStats> per_cpu_time;                  // skip if empty
  std::vector<CgroupPsiStat> cgroup_psi;                      // skip if empty
  std::vector<PerNodeNumaStats> per_node_numa;                // skip if empty
  std::optional<std::string> per_node_numa_unavailable;       // skip if none
  std::vector<TaskEnrichment> task_enrichments;               // skip if empty
  std::optional<std::string> task_enrichments_unavailable;    // skip if none
  std::vector<EventCounterSample> event_counter_timeline;     // skip if empty
  std::vector<RqScxState> rq_scx_states;                      // skip if empty
  std::vector<DsqState> dsq_states;                           // skip if empty
  std::optional<ScxSchedState> scx_sched_state;               // skip if none
  std::optional<std::string> scx_walker_unavailable;          // skip if none
  std::vector<JsonValue> vcpu_perf_at_freeze;                 // opaque, skip if empty
  std::optional<std::uint64_t> dump_truncated_at_us;          // skip if none
  std::uint32_t maps_truncated = 0;                           // skip if zero
  std::optional<ProbeBssCounters> probe_counters;             // skip if none
  bool is_placeholder = false;                                // skip if false
  std::optional<CaptureInfo> capture;                         // scxsnap addition, skip if none
  /// Not a JSON field: the float text the document was written with (set
  /// by parse_report when a float shows it), used when writing it back.
  FloatStyle float_style = FloatStyle::Zmij;

  /// A report standing in for a capture that did not happen: the five
  /// *_unavailable fields carry `reason` and is_placeholder is set.
  static FailureDumpReport placeholder(std::string reason);

  friend bool operator==(const FailureDumpReport&, const FailureDumpReport&) = default;
};

enum class JsonStyle { Compact, Pretty };

/// Parse a report. Errors name the JSON path ("maps[3].entries[10].value.kind")
/// and what was expected.
SCXSNAP_API Result<FailureDumpReport> parse_report(std::string_view json);
/// Read and parse a file; "-" reads standard input.
SCXSNAP_API Result<FailureDumpReport> load_report(const std::filesystem::path& path);
/// serde_json's shape: compact, or 2-space indented with Pretty.
/// Receives JSON text a chunk at a time (a streamed capture or conversion);
/// an error stops the producer and is returned.
using JsonSink = std::function<Result<void>(std::string_view)>;

SCXSNAP_API std::string to_json(const FailureDumpReport& report,
                                JsonStyle style = JsonStyle::Compact);
/// RenderedValue alone (internally tagged on "kind").
SCXSNAP_API std::string to_json(const RenderedValue& value, JsonStyle style = JsonStyle::Compact);
SCXSNAP_API Result<RenderedValue> parse_rendered_value(std::string_view json);

/// Read a whole file ("-" = standard input) as text.
SCXSNAP_API Result<std::string> read_text_file(const std::filesystem::path& path);

/// Write `contents` to `path` atomically (temporary file + rename; mode 0600,
/// or the umask's for FileMode::Shared); "-" writes standard output. On
/// error nothing is left behind.
SCXSNAP_API Result<void> write_file_atomic(const std::filesystem::path& path,
                                           std::string_view contents,
                                           FileMode mode = FileMode::Private);

}  // namespace scxsnap

#include <span>
#include <utility>

namespace scxsnap {
/// The u64 counters of PerCpuTimeStats by field name, in declaration order
/// (cpustat_user_ns … cpustat_steal_ns, irqs_sum).
std::span<const std::pair<std::string_view, std::uint64_t PerCpuTimeStats::*>> SCXSNAP_API
per_cpu_time_counters();

/// "hash", "percpu_array", ... for a BPF_MAP_TYPE_* number; "unknown(N)" otherwise.
SCXSNAP_API std::string map_type_name(std::uint32_t map_type);
}  // namespace scxsnap
