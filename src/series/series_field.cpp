// SPDX-License-Identifier: Apache-2.0
// SeriesField<T> and the temporal patterns (reference Part A.4–A.6): rules and
// message texts as ktstr has them.
#include "scxsnap/series.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <type_traits>

namespace scxsnap {

std::string Phase::to_string() const {
  return raw == 0 ? "BASELINE" : fmt::format("Step[{}]", raw - 1);
}

std::string display_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Rust prints floats without an exponent and integral values without ".0".
  if (v == std::trunc(v) && std::fabs(v) < 1e16) return fmt::format("{:.0f}", v);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}
std::string display_value(std::uint64_t v) {
  return std::to_string(v);
}
std::string display_value(std::int64_t v) {
  return std::to_string(v);
}
std::string display_value(bool v) {
  return v ? "true" : "false";
}

namespace {

template <class T>
double as_double(T v) {
  return static_cast<double>(v);
}

// r - l, taken in the values' own type before the one conversion to double:
// two u64 counters near 2^60 that differ by 5 give 5, not 0 or 256.
template <class T>
double delta_as_double(T l, T r) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return r >= l ? static_cast<double>(static_cast<U>(static_cast<U>(r) - static_cast<U>(l)))
                  : -static_cast<double>(static_cast<U>(static_cast<U>(l) - static_cast<U>(r)));
  } else {
    return static_cast<double>(r) - static_cast<double>(l);
  }
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

// Counts the outcomes a pattern may add, to decide whether it passed.
struct PassLog {
  Verdict& v;
  std::size_t before;
  explicit PassLog(Verdict& vd) : v(vd), before(vd.failures().size() + vd.inconclusives().size()) {}
  void done(const std::string& msg) {
    if (v.log_passes() && v.failures().size() + v.inconclusives().size() == before)
      v.record_pass(msg);
  }
};

}  // namespace

template <class T>
SeriesField<T>::SeriesField(std::string label, std::vector<std::string> tags,
                            std::vector<std::optional<std::uint64_t>> elapsed_ms,
                            std::vector<Value> values, std::vector<std::optional<Phase>> phases)
    : label_(std::move(label)),
      tags_(std::move(tags)),
      elapsed_(std::move(elapsed_ms)),
      values_(std::move(values)),
      phases_(std::move(phases)) {
  // Parallel vectors: a mismatch is a programming error in the projection
  // (ktstr hard-asserts here too, in release builds as well).
  if (tags_.size() != values_.size() || elapsed_.size() != values_.size() ||
      phases_.size() != values_.size()) {
    std::fprintf(stderr, "scxsnap: SeriesField '%s': parallel vectors differ in length\n",
                 label_.c_str());
    std::abort();
  }
}

template <class T>
SeriesField<T> SeriesField<T>::from_parts(std::string label, std::vector<std::string> tags,
                                          std::vector<std::uint64_t> elapsed_ms,
                                          std::vector<Value> values) {
  std::vector<std::optional<std::uint64_t>> e(elapsed_ms.begin(), elapsed_ms.end());
  std::vector<std::optional<Phase>> p(values.size());
  return SeriesField(std::move(label), std::move(tags), std::move(e), std::move(values),
                     std::move(p));
}

template <class T>
std::string SeriesField<T>::when(std::size_t i) const {
  const std::optional<std::uint64_t>& e = elapsed_[i];
  return e ? std::to_string(*e) : "?";
}

template <class T>
std::string SeriesField<T>::skip_entry(std::size_t i) const {
  return fmt::format("{}(+{}ms): {}", tags_[i], when(i),
                     values_[i] ? "" : values_[i].error().message());
}

template <class T>
Verdict& SeriesField<T>::monotone(Verdict& v, bool strict) const {
  const char* pat = strict ? "strictly_increasing" : "nondecreasing";
  const std::size_t n = len();
  if (n < 2) {
    v.note(fmt::format(
        "{} ({}): only {} samples — pattern vacuously holds; ensure num_snapshots >= 2 for "
        "meaningful coverage",
        label_, pat, n));
    return v;
  }
  PassLog log(v);
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (!values_[i]) {
      skipped.push_back(skip_entry(i));
      continue;
    }
    if (!values_[i + 1]) continue;  // recorded when it is the left side
    const T left = *values_[i], right = *values_[i + 1];
    bool ok = strict ? (right > left) : (right >= left);
    if (!ok)
      v.record_fail(fmt::format(
          "{} ({}): regression at sample {} (+{}ms): value {} after prior value {} at sample {} "
          "(+{}ms)",
          label_, pat, tags_[i + 1], when(i + 1), display_value(right), display_value(left),
          tags_[i], when(i)));
  }
  if (!values_[n - 1]) skipped.push_back(skip_entry(n - 1));
  if (!skipped.empty())
    v.note(fmt::format("{} ({}): skipped {} sample(s) with projection errors: {}", label_, pat,
                       skipped.size(), join(skipped, ", ")));
  log.done(fmt::format("{} ({}): all {} samples passed", label_, pat, n));
  return v;
}

template <class T>
Verdict& SeriesField<T>::nondecreasing(Verdict& v) const {
  return monotone(v, false);
}
template <class T>
Verdict& SeriesField<T>::strictly_increasing(Verdict& v) const {
  return monotone(v, true);
}

template <class T>
Verdict& SeriesField<T>::rate_within(Verdict& v, double lo, double hi) const {
  if (lo > hi) {
    v.record_fail(fmt::format("{} (rate_within): caller error: lo={} > hi={}", label_,
                              display_value(lo), display_value(hi)));
    return v;
  }
  const std::size_t n = len();
  if (n < 2) {
    v.note(fmt::format("{} (rate_within): only {} samples — pattern vacuously holds", label_, n));
    return v;
  }
  PassLog log(v);
  const std::string band = fmt::format("[{}, {}]", display_value(lo), display_value(hi));
  std::vector<std::string> gaps;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (!values_[i] || !values_[i + 1]) {
      std::vector<std::string> ends;
      if (!values_[i]) ends.push_back(skip_entry(i));
      if (!values_[i + 1]) ends.push_back(skip_entry(i + 1));
      gaps.push_back(join(ends, " | "));
      continue;
    }
    if (!elapsed_[i] || !elapsed_[i + 1]) {
      gaps.push_back(fmt::format("{}(+{}ms)..{}(+{}ms): elapsed not measured", tags_[i], when(i),
                                 tags_[i + 1], when(i + 1)));
      continue;
    }
    // Both were checked just above.
    const std::uint64_t t0 = elapsed_[i].value_or(0), t1 = elapsed_[i + 1].value_or(0);
    double dt = t1 > t0 ? static_cast<double>(t1 - t0) : 0.0;
    if (dt <= 0) {
      v.record_inconclusive(
          fmt::format("{} (rate_within): zero-time delta between sample {} (+{}ms) and {} (+{}ms) "
                      "— denominator is "
                      "INSTRUMENT-derived; rate is neither pass nor fail",
                      label_, tags_[i], when(i), tags_[i + 1], when(i + 1)));
      continue;
    }
    const double rate = delta_as_double(*values_[i], *values_[i + 1]) / dt;
    if (!std::isfinite(rate)) {
      v.record_fail(
          fmt::format("{} (rate_within {}): non-finite rate between samples {} (+{}ms, value {}) "
                      "and {} (+{}ms, value {}) — "
                      "endpoint is NaN or produced inf in the delta",
                      label_, band, tags_[i], when(i), display_value(*values_[i]), tags_[i + 1],
                      when(i + 1), display_value(*values_[i + 1])));
      continue;
    }
    if (rate < lo || rate > hi)
      v.record_fail(fmt::format(
          "{} (rate_within {}): rate {:.4f}/ms between samples {} (+{}ms, value {}) and {} (+{}ms, "
          "value {})",
          label_, band, rate, tags_[i], when(i), display_value(*values_[i]), tags_[i + 1],
          when(i + 1), display_value(*values_[i + 1])));
  }
  if (!gaps.empty())
    v.note(fmt::format(
        "{} (rate_within): {} consecutive-pair gap(s) skipped due to a projection error or an "
        "unmeasured elapsed timestamp on at least one endpoint: {}",
        label_, gaps.size(), join(gaps, ", ")));
  log.done(fmt::format("{} (rate_within {}): all {} consecutive-pair rates within band", label_,
                       band, n - 1));
  return v;
}

template <class T>
Verdict& SeriesField<T>::steady_within(Verdict& v, std::uint64_t warmup_ms,
                                       double tolerance) const {
  if (tolerance < 0) {
    v.record_fail(fmt::format("{} (steady_within): caller error: tolerance {} negative", label_,
                              display_value(tolerance)));
    return v;
  }
  PassLog log(v);
  std::vector<std::string> skipped;
  std::vector<std::size_t> active;
  bool post_warmup = false;
  for (std::size_t i = 0; i < len(); ++i) {
    if (!elapsed_[i]) {
      skipped.push_back(
          fmt::format("{}(+?ms): elapsed not measured (cannot place vs warmup)", tags_[i]));
      continue;
    }
    if (*elapsed_[i] < warmup_ms) continue;
    post_warmup = true;
    if (!values_[i]) {
      skipped.push_back(skip_entry(i));
      continue;
    }
    double x = as_double(*values_[i]);
    if (!std::isfinite(x)) {
      skipped.push_back(fmt::format("{}(+{}ms): non-finite value {}", tags_[i], when(i),
                                    display_value(*values_[i])));
      continue;
    }
    active.push_back(i);
  }
  if (!skipped.empty())
    v.note(fmt::format(
        "{} (steady_within): skipped {} sample(s) with a projection error or an unmeasured elapsed "
        "timestamp: {}",
        label_, skipped.size(), join(skipped, ", ")));
  if (active.empty()) {
    if (!post_warmup)
      v.note(fmt::format(
          "{} (steady_within): no samples beyond warmup_ms={} — pattern vacuously holds", label_,
          warmup_ms));
    return v;
  }
  double mean = 0;
  for (std::size_t i : active) mean += as_double(*values_[i]);
  mean /= static_cast<double>(active.size());
  double lo = mean * (1 - tolerance), hi = mean * (1 + tolerance);
  if (lo > hi) std::swap(lo, hi);
  const std::string head =
      fmt::format("{} (steady_within mean {:.4f} ±{:.1f}%)", label_, mean, tolerance * 100);
  for (std::size_t i : active) {
    double x = as_double(*values_[i]);
    if (x < lo || x > hi)
      v.record_fail(fmt::format("{}: sample {} (+{}ms): value {} outside [{:.4f}, {:.4f}]", head,
                                tags_[i], when(i), display_value(*values_[i]), lo, hi));
  }
  log.done(fmt::format("{}: all {} post-warmup samples in band", head, active.size()));
  return v;
}

template <class T>
Verdict& SeriesField<T>::converges_to(Verdict& v, double target, double tolerance,
                                      std::uint64_t deadline_ms) const {
  if (tolerance < 0) {
    v.record_fail(fmt::format("{} (converges_to): caller error: tolerance {} negative", label_,
                              display_value(tolerance)));
    return v;
  }
  const std::string head =
      fmt::format("{} (converges_to {} ±{}, deadline_ms={})", label_, display_value(target),
                  display_value(tolerance), deadline_ms);
  auto in_window = [&](std::size_t i) { return elapsed_[i] && *elapsed_[i] <= deadline_ms; };
  std::size_t ok = 0;
  std::vector<std::string> errored;
  for (std::size_t i = 0; i < len(); ++i) {
    if (!in_window(i)) continue;
    if (values_[i])
      ++ok;
    else
      errored.push_back(skip_entry(i));
  }
  if (ok < 3) {
    std::string msg =
        fmt::format("{}: insufficient samples for converges_to (need ≥3, have {})", head, ok);
    if (!errored.empty()) msg += "; errored sample(s): " + join(errored, ", ");
    v.note(msg);
    return v;
  }
  PassLog log(v);
  const double lo = target - tolerance, hi = target + tolerance;
  int consecutive = 0;
  std::optional<std::size_t> witness;
  std::vector<std::string> interrupted;
  for (std::size_t i = 0; i < len(); ++i) {
    if (!in_window(i)) {
      consecutive = 0;
      continue;
    }
    if (!values_[i]) {
      if (consecutive > 0) interrupted.push_back(skip_entry(i));
      consecutive = 0;
      continue;
    }
    double x = as_double(*values_[i]);
    if (x >= lo && x <= hi) {
      if (++consecutive == 3) {
        witness = i;
        break;
      }
    } else {
      consecutive = 0;
    }
  }
  if (!witness) {
    std::string msg = fmt::format(
        "{}: no 3-consecutive-in-band witness before deadline ({} samples evaluated)", head, len());
    if (!interrupted.empty())
      msg += "; in-progress runs interrupted by errored sample(s): " + join(interrupted, ", ");
    v.record_fail(msg);
    return v;
  }
  log.done(fmt::format("{}: 3-consecutive-in-band witness reached at {} (+{}ms)", head,
                       tags_[*witness], when(*witness)));
  return v;
}

template <class T>
Verdict& SeriesField<T>::always_true(Verdict& v) const {
  PassLog log(v);
  for (std::size_t i = 0; i < len(); ++i) {
    if (!values_[i]) {
      v.record_fail(fmt::format("{} (always_true): sample {} (+{}ms): projection error: {}", label_,
                                tags_[i], when(i), values_[i].error().message()));
      continue;
    }
    bool truth;
    if constexpr (std::is_same_v<T, bool>)
      truth = *values_[i];
    else
      truth = *values_[i] != T{};
    if (!truth)
      v.record_fail(fmt::format("{} (always_true): sample {} (+{}ms): value false", label_,
                                tags_[i], when(i)));
  }
  log.done(fmt::format("{} (always_true): all {} samples true", label_, len()));
  return v;
}

template <class T>
Verdict& SeriesField<T>::ratio_within(Verdict& v, const SeriesField<double>& other, double lo,
                                      double hi) const {
  if (lo > hi) {
    v.record_fail(fmt::format("{} (ratio_within): caller error: lo={} > hi={}", label_,
                              display_value(lo), display_value(hi)));
    return v;
  }
  if (other.len() != len()) {
    v.record_fail(
        fmt::format("{} (ratio_within {}): caller error: length mismatch (this {}, other {})",
                    label_, other.label(), len(), other.len()));
    return v;
  }
  PassLog log(v);
  const std::string head = fmt::format("{} (ratio_within {} [{}, {}])", label_, other.label(),
                                       display_value(lo), display_value(hi));
  std::vector<std::string> gaps;
  for (std::size_t i = 0; i < len(); ++i) {
    const auto& rv = other.values()[i];
    if (!values_[i] || !rv) {
      std::vector<std::string> sides;
      if (!values_[i])
        sides.push_back(
            fmt::format("lhs {}(+{}ms): {}", tags_[i], when(i), values_[i].error().message()));
      if (!rv)
        sides.push_back(
            fmt::format("rhs {}(+{}ms): {}", other.tags()[i], other.when(i), rv.error().message()));
      gaps.push_back(join(sides, " | "));
      continue;
    }
    double l = as_double(*values_[i]), r = *rv;
    if (r == 0.0) {
      v.record_inconclusive(
          fmt::format("{} (ratio_within): rhs == 0 at sample {} (+{}ms) — denominator is "
                      "INSTRUMENT-derived; ratio is neither pass nor fail",
                      label_, tags_[i], when(i)));
      continue;
    }
    double ratio = l / r;
    if (!std::isfinite(ratio)) {
      v.record_fail(fmt::format("{}: non-finite ratio at sample {} (+{}ms) — lhs={} rhs={}", head,
                                tags_[i], when(i), display_value(l), display_value(r)));
      continue;
    }
    if (ratio < lo || ratio > hi)
      v.record_fail(fmt::format("{}: ratio {:.4f} at sample {} (+{}ms) — lhs={} rhs={}", head,
                                ratio, tags_[i], when(i), display_value(l), display_value(r)));
  }
  if (!gaps.empty())
    v.note(fmt::format(
        "{} (ratio_within): {} pair(s) skipped due to projection errors on lhs or rhs: {}", label_,
        gaps.size(), join(gaps, ", ")));
  log.done(fmt::format("{}: all {} ratios within band", head, len()));
  return v;
}

// ---- per-phase helpers -----------------------------------------------------------

template <class T>
std::pair<std::vector<std::pair<Phase, std::vector<std::size_t>>>, std::vector<std::size_t>>
SeriesField<T>::by_phase() const {
  std::map<Phase, std::vector<std::size_t>> m;
  std::vector<std::size_t> none;
  for (std::size_t i = 0; i < len(); ++i) {
    if (const std::optional<Phase>& ph = phases_[i])
      m[*ph].push_back(i);
    else
      none.push_back(i);
  }
  return {std::vector<std::pair<Phase, std::vector<std::size_t>>>(m.begin(), m.end()), none};
}

template <class T>
std::optional<T> SeriesField<T>::value_at_phase(Phase p) const {
  std::optional<T> last;
  for (std::size_t i = 0; i < len(); ++i)
    if (phases_[i] == p && values_[i]) last = *values_[i];
  return last;
}

template <class T>
std::vector<std::pair<Phase, T>> SeriesField<T>::counter_delta_per_phase() const {
  std::vector<std::pair<Phase, T>> out;
  for (const auto& [p, rows] : by_phase().first) {
    std::optional<T> first, last;
    for (std::size_t i : rows)
      if (values_[i]) {
        if (!first) first = *values_[i];
        last = *values_[i];
      }
    if (!first) continue;
    out.emplace_back(
        p, *last < *first ? T{} : static_cast<T>(*last - *first));  // a counter reset reads as 0
  }
  return out;
}

template <class T>
std::vector<std::pair<Phase, T>> SeriesField<T>::sum_by_phase() const {
  std::vector<std::pair<Phase, T>> out;
  for (const auto& [p, rows] : by_phase().first) {
    T sum{};
    bool any = false;
    for (std::size_t i : rows)
      if (values_[i]) {
        sum = static_cast<T>(sum + *values_[i]);
        any = true;
      }
    if (any) out.emplace_back(p, sum);
  }
  return out;
}

template <class T>
CrossPhaseRatio SeriesField<T>::ratio_across_phases(Verdict& v, Phase earlier, Phase later) const {
  auto e = value_at_phase(earlier), l = value_at_phase(later);
  return CrossPhaseRatio(v, label_, earlier, later,
                         e ? std::optional<double>(as_double(*e)) : std::nullopt,
                         l ? std::optional<double>(as_double(*l)) : std::nullopt);
}

Verdict& CrossPhaseRatio::at_most(double ceiling) {
  const std::string err = label_.empty() ? "" : label_ + ": ";
  const std::string note = label_.empty() ? "" : "[" + label_ + "] ";
  const std::string head =
      fmt::format("ratio_across_phases({}→{})", earlier_.to_string(), later_.to_string());
  if (!e_ || !l_) {
    auto show = [](const std::optional<double>& x) {
      return x ? display_value(*x) : std::string("<no-samples>");
    };
    v_.record_inconclusive(
        fmt::format("{}{} inconclusive: needs both phases — earlier={}, later={}", err, head,
                    show(e_), show(l_)));
    return v_;
  }
  if (*e_ == 0.0) {
    v_.record_inconclusive(fmt::format(
        "{}{} inconclusive: earlier value is 0 (no baseline to ratio against)", err, head));
    return v_;
  }
  double r = *l_ / *e_;
  if (!std::isfinite(r)) {
    v_.record_fail(fmt::format(
        "{}{} = {}/{} = {} is non-finite (corrupt endpoint) — cannot evaluate ceiling {:.4f}", err,
        head, display_value(*l_), display_value(*e_), display_value(r), ceiling));
  } else if (r > ceiling) {
    v_.record_fail(fmt::format("{}{} = {}/{} = {:.4f} exceeds ceiling {:.4f}", err, head,
                               display_value(*l_), display_value(*e_), r, ceiling));
  } else {
    v_.note(fmt::format("{}{} = {}/{} = {:.4f} (ceiling {:.4f})", note, head, display_value(*l_),
                        display_value(*e_), r, ceiling));
  }
  return v_;
}

// ---- each -------------------------------------------------------------------------

namespace {
template <class T>
bool incomparable(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

template <class T, class Ok>
Verdict& each_check(const SeriesField<T>& f, Verdict& v, const std::string& op, Ok&& ok) {
  PassLog log(v);
  const std::string head = fmt::format("{} (each.{})", f.label(), op);
  for (std::size_t i = 0; i < f.len(); ++i) {
    const auto& x = f.values()[i];
    if (!x) {
      v.record_fail(fmt::format("{}: sample {} (+{}ms): projection error: {}", head, f.tags()[i],
                                f.when(i), x.error().message()));
    } else if (incomparable(*x)) {
      v.record_fail(fmt::format("{}: sample {} (+{}ms): value {} is incomparable (NaN)", head,
                                f.tags()[i], f.when(i), display_value(*x)));
    } else if (!ok(*x)) {
      v.record_fail(fmt::format("{}: sample {} (+{}ms): value {}", head, f.tags()[i], f.when(i),
                                display_value(*x)));
    }
  }
  log.done(fmt::format("{}: all {} samples passed", head, f.len()));
  return v;
}
}  // namespace

template <class T>
Verdict& EachClaim<T>::at_least(T floor) {
  return each_check(f_, v_, "at_least " + display_value(floor), [&](T x) { return x >= floor; });
}
template <class T>
Verdict& EachClaim<T>::at_most(T ceiling) {
  return each_check(f_, v_, "at_most " + display_value(ceiling), [&](T x) { return x <= ceiling; });
}
template <class T>
Verdict& EachClaim<T>::between(T lo, T hi) {
  if (lo > hi) {
    v_.record_fail(fmt::format("{} (each.between): caller error: lo={} > hi={}", f_.label(),
                               display_value(lo), display_value(hi)));
    return v_;
  }
  return each_check(f_, v_, fmt::format("between [{}, {}]", display_value(lo), display_value(hi)),
                    [&](T x) { return x >= lo && x <= hi; });
}

template class SeriesField<std::uint64_t>;
template class SeriesField<std::int64_t>;
template class SeriesField<double>;
template class SeriesField<bool>;
template class EachClaim<std::uint64_t>;
template class EachClaim<std::int64_t>;
template class EachClaim<double>;

}  // namespace scxsnap
