// SPDX-License-Identifier: Apache-2.0
// A series of snapshots (one row per capture) and the projections that turn
// it into SeriesField values: the BPF axis (globals, maps, per-CPU reducers),
// the stats axis (scheduler-stats JSON) and the host axis (per-CPU time).
// Rows are read from the JSON Lines that `scxsnap watch` writes.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/series.hpp"
#include "scxsnap/snapshot.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace scxsnap {

struct SCXSNAP_API SampleRow {
  std::string tag;
  std::optional<std::uint64_t> elapsed_ms;
  FailureDumpReport report;
  /// The scheduler-stats document, or why there is none.
  std::variant<JsonValue, MissingStatsReason> stats = MissingStatsReason{};
  std::optional<std::uint16_t> step_index;
  std::optional<std::uint64_t> boundary_offset_ms;
};

class BpfMapProjector;

class SCXSNAP_API SampleSeries {
 public:
  SampleSeries() = default;
  explicit SampleSeries(std::vector<SampleRow> rows) : rows_(std::move(rows)) {}

  /// Read `scxsnap watch` JSON Lines: {"tag","elapsed_ms","step_index"?,"report"}.
  static Result<SampleSeries> load_jsonl(const std::filesystem::path& path);
  static Result<SampleSeries> parse_jsonl(std::string_view text);
  /// One JSON Lines record for a row (what `watch` writes).
  static std::string to_jsonl_line(const SampleRow& row);
  /// The same line with the report given as its JSON text (compact, as
  /// capture_json writes it); row.report is not looked at.
  static std::string to_jsonl_line(const SampleRow& row, std::string_view report_json);

  std::size_t len() const { return rows_.size(); }
  bool is_empty() const { return rows_.empty(); }
  const std::vector<SampleRow>& rows() const { return rows_; }
  /// What reading skipped (records holding a dual or degraded dump).
  const std::vector<std::string>& notes() const { return notes_; }
  /// Rows whose tag starts with "periodic_".
  SampleSeries periodic_only() const;

  // ---- BPF axis ---------------------------------------------------------------------
  /// Any projection; placeholder rows yield PlaceholderSample first.
  template <class T>
  SeriesField<T> bpf(std::string label,
                     const std::function<SnapshotResult<T>(const Snapshot&)>& f) const;
  /// live_var(name) of each sample as a field, with the phase-stability gate
  /// (a placeholder row or a walker that drifted within a phase is the
  /// field's error): what bpf_live_* convert. Fields borrow the rows.
  std::vector<SnapshotField> live_var_fields(std::string_view name) const;
  /// live_var(name) as a number, with the phase-stability gate.
  SeriesField<std::uint64_t> bpf_live_u64(std::string_view name) const;
  SeriesField<std::int64_t> bpf_live_i64(std::string_view name) const;
  SeriesField<double> bpf_live_f64(std::string_view name) const;
  /// Co-pick several globals from one section map per sample.
  std::vector<SeriesField<std::uint64_t>> live_bpf_vars_via(std::span<const std::string_view> names,
                                                            const RowPicker& picker) const;
  BpfMapProjector bpf_map(std::string map_name) const;

  // ---- stats axis --------------------------------------------------------------------
  template <class T>
  SeriesField<T> stats(std::string label,
                       const std::function<SnapshotResult<T>(const JsonField&)>& f) const;
  SeriesField<std::uint64_t> stats_live_u64(std::string_view path) const;
  SeriesField<double> stats_live_f64(std::string_view path) const;

  // ---- host axis ------------------------------------------------------------------------
  /// A per_cpu_time field of one CPU per sample.
  SeriesField<std::uint64_t> per_cpu_field_u64(
      std::uint32_t cpu, std::string label,
      const std::function<std::uint64_t(const PerCpuTimeStats&)>& f) const;

 private:
  template <class T>
  SeriesField<T> make_field(std::string label,
                            std::vector<std::expected<T, SnapshotError>> values) const;
  template <class T>
  SeriesField<T> live_gated(
      std::string_view name,
      const std::function<SnapshotResult<T>(const SnapshotField&)>& conv) const;
  std::vector<SampleRow> rows_;
  std::vector<std::string> notes_;
};

/// `series.bpf_map("name").cpu(n).at(i).field_u64("path")` and per-CPU reducers.
class SCXSNAP_API BpfMapProjector {
 public:
  BpfMapProjector(const SampleSeries& s, std::string map) : s_(&s), map_(std::move(map)) {}
  BpfMapProjector& at(std::size_t i) {
    index_ = i;
    return *this;
  }
  BpfMapProjector& cpu(std::size_t n) {
    cpu_ = n;
    return *this;
  }
  SeriesField<std::uint64_t> field_u64(std::string_view path) const;
  SeriesField<std::int64_t> field_i64(std::string_view path) const;
  SeriesField<double> field_f64(std::string_view path) const;
  SeriesField<std::uint64_t> field_cpu_sum_u64(std::string_view path) const;
  SeriesField<std::uint64_t> field_cpu_max_u64(std::string_view path) const;
  SeriesField<std::uint64_t> field_cpu_min_u64(std::string_view path) const;
  SeriesField<double> field_cpu_sum_f64(std::string_view path) const;
  /// Member names of the entry's value, across all rows, first-seen order.
  std::vector<std::string> member_names() const;

 private:
  /// The entry this projector addresses in one snapshot.
  SnapshotResult<SnapshotMap> view(const Snapshot& snap) const;
  const SampleSeries* s_;
  std::string map_;
  std::size_t index_ = 0;
  std::optional<std::size_t> cpu_;
};

}  // namespace scxsnap
