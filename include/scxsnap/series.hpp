// SPDX-License-Identifier: Apache-2.0
// State over time: a projected series of values (SeriesField<T>), the Verdict
// that temporal patterns record into, and the patterns themselves
// (nondecreasing, strictly_increasing, rate_within, steady_within,
// converges_to, always_true, ratio_within, each().at_least/at_most/between),
// with ktstr's rules and message texts (reference Part A.4–A.6).
//
// A projection error never aborts a series: it is that sample's error slot,
// and each pattern decides whether it is a gap (a Note) or a failure.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/snapshot_error.hpp"

#include <compare>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap {

/// A phase of a run: BASELINE (0) or Step[k] (k + 1).
struct SCXSNAP_API Phase {
  std::uint16_t raw = 0;
  static Phase baseline() { return Phase{0}; }
  static Phase step(std::uint16_t k) { return Phase{static_cast<std::uint16_t>(k + 1)}; }
  /// "BASELINE" or "Step[k]".
  std::string to_string() const;
  friend auto operator<=>(const Phase&, const Phase&) = default;
};

/// The outcome of temporal assertions: failures, inconclusive results (an
/// instrument-derived zero denominator) and notes (informative only).
class SCXSNAP_API Verdict {
 public:
  bool passed() const { return failures_.empty(); }
  bool inconclusive() const { return failures_.empty() && !inconclusives_.empty(); }
  const std::vector<std::string>& failures() const { return failures_; }
  const std::vector<std::string>& inconclusives() const { return inconclusives_; }
  const std::vector<std::string>& notes() const { return notes_; }
  /// Messages of passes, when pass logging is on (off by default).
  const std::vector<std::string>& passes() const { return passes_; }
  void set_log_passes(bool on) { log_passes_ = on; }
  bool log_passes() const { return log_passes_; }

  void record_fail(std::string message) { failures_.push_back(std::move(message)); }
  void record_inconclusive(std::string message) { inconclusives_.push_back(std::move(message)); }
  void note(std::string message) { notes_.push_back(std::move(message)); }
  void record_pass(std::string message) { passes_.push_back(std::move(message)); }

 private:
  std::vector<std::string> failures_, inconclusives_, notes_, passes_;
  bool log_passes_ = false;
};

template <class T>
class SeriesField;

/// `ratio_across_phases(v, earlier, later).at_most(ceiling)`: later/earlier of
/// the last Ok value in each phase.
class SCXSNAP_API CrossPhaseRatio {
 public:
  CrossPhaseRatio(Verdict& v, std::string label, Phase earlier, Phase later,
                  std::optional<double> e, std::optional<double> l)
      : v_(v), label_(std::move(label)), earlier_(earlier), later_(later), e_(e), l_(l) {}
  Verdict& at_most(double ceiling);

 private:
  Verdict& v_;
  std::string label_;
  Phase earlier_, later_;
  std::optional<double> e_, l_;
};

/// `each(v)`: strict per-sample bounds.
template <class T>
class EachClaim {
 public:
  EachClaim(const SeriesField<T>& f, Verdict& v) : f_(f), v_(v) {}
  Verdict& at_least(T floor);
  Verdict& at_most(T ceiling);
  Verdict& between(T lo, T hi);

 private:
  const SeriesField<T>& f_;
  Verdict& v_;
};

/// One projected value per sample, with the sample's tag, timestamp and phase.
template <class T>
class SeriesField {
 public:
  using Value = std::expected<T, SnapshotError>;

  SeriesField(std::string label, std::vector<std::string> tags,
              std::vector<std::optional<std::uint64_t>> elapsed_ms, std::vector<Value> values,
              std::vector<std::optional<Phase>> phases);
  /// Every timestamp measured, no phases.
  static SeriesField from_parts(std::string label, std::vector<std::string> tags,
                                std::vector<std::uint64_t> elapsed_ms, std::vector<Value> values);

  const std::string& label() const { return label_; }
  std::size_t len() const { return values_.size(); }
  bool is_empty() const { return values_.empty(); }
  const std::vector<std::string>& tags() const { return tags_; }
  const std::vector<std::optional<std::uint64_t>>& elapsed_ms() const { return elapsed_; }
  const std::vector<Value>& values() const { return values_; }
  const std::vector<std::optional<Phase>>& phases() const { return phases_; }

  // ---- patterns ---------------------------------------------------------------
  Verdict& nondecreasing(Verdict& v) const;
  Verdict& strictly_increasing(Verdict& v) const;
  /// Units per millisecond between consecutive samples (numeric T).
  Verdict& rate_within(Verdict& v, double lo, double hi) const;
  Verdict& steady_within(Verdict& v, std::uint64_t warmup_ms, double tolerance) const;
  Verdict& converges_to(Verdict& v, double target, double tolerance,
                        std::uint64_t deadline_ms) const;
  Verdict& always_true(Verdict& v) const;
  Verdict& ratio_within(Verdict& v, const SeriesField<double>& other, double lo, double hi) const;
  EachClaim<T> each(Verdict& v) const { return EachClaim<T>(*this, v); }

  // ---- per-phase helpers (rows without a phase are ignored) ---------------------
  /// The last Ok value in phase p.
  std::optional<T> value_at_phase(Phase p) const;
  /// last − first Ok value per phase (0 when the counter went backwards).
  std::vector<std::pair<Phase, T>> counter_delta_per_phase() const;
  /// Sum of the Ok values per phase.
  std::vector<std::pair<Phase, T>> sum_by_phase() const;
  CrossPhaseRatio ratio_across_phases(Verdict& v, Phase earlier, Phase later) const;
  /// Row indices per phase, and the rows with no phase.
  std::pair<std::vector<std::pair<Phase, std::vector<std::size_t>>>, std::vector<std::size_t>>
  by_phase() const;

  /// "+123ms" part of messages: the timestamp or "?".
  std::string when(std::size_t i) const;
  /// "<tag>(+<ms>ms): <error>" — the skip-entry format of Notes.
  std::string skip_entry(std::size_t i) const;

 private:
  Verdict& monotone(Verdict& v, bool strict) const;
  std::string label_;
  std::vector<std::string> tags_;
  std::vector<std::optional<std::uint64_t>> elapsed_;
  std::vector<Value> values_;
  std::vector<std::optional<Phase>> phases_;
};

extern template class SCXSNAP_API SeriesField<std::uint64_t>;
extern template class SCXSNAP_API SeriesField<std::int64_t>;
extern template class SCXSNAP_API SeriesField<double>;
extern template class SCXSNAP_API SeriesField<bool>;
extern template class SCXSNAP_API EachClaim<std::uint64_t>;
extern template class SCXSNAP_API EachClaim<std::int64_t>;
extern template class SCXSNAP_API EachClaim<double>;

/// Rust's `{}` for the numbers that appear in messages.
SCXSNAP_API std::string display_value(double v);
SCXSNAP_API std::string display_value(std::uint64_t v);
SCXSNAP_API std::string display_value(std::int64_t v);
SCXSNAP_API std::string display_value(bool v);

}  // namespace scxsnap
