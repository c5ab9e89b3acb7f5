// SPDX-License-Identifier: Apache-2.0
// Evaluating an assertion (scxsnap/expect.hpp): project, decide how the
// values compare (unsigned, signed or float, from what the samples hold),
// keep the samples that have a value, run ktstr's pattern over them and turn
// its Verdict into one outcome kind.
#include "report/nearest_names.hpp"
#include "scxsnap/expect.hpp"
#include "series/expect_failures.hpp"
#include "series/expect_project.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace scxsnap {
namespace {

using detail::Number;
using detail::Projection;

std::size_t samples_needed(std::string_view pattern) {
  if (pattern == "nondecreasing" || pattern == "strictly_increasing" || pattern == "rate_within")
    return 2;
  if (pattern == "converges_to") return 3;
  return 1;
}

// Errors that come from the circumstances of a sample (no scheduler then, no
// stats then), not from what the projection names.
bool circumstantial(const SnapshotError& e) {
  return e.is<errors::PlaceholderSample>() || e.is<errors::PlaceholderSnapshot>() ||
         e.is<errors::MissingStats>() || e.is<errors::HostFieldUnavailable>() ||
         e.is<errors::WalkerDriftedWithinPhase>() || e.is<errors::MapRenderIncomplete>() ||
         e.is<errors::NoRendered>();
}

// A projection that no sample can give is a usage error (exit 2), never a
// verdict: a misspelt name, a map in no sample, a name several objects define.
std::optional<Error> no_value_anywhere(const Expectation& e, const SampleSeries& s,
                                       const Projection& p) {
  const SnapshotError* first = nullptr;
  for (const auto& v : p.values) {
    if (v) return std::nullopt;
    if (!first && !circumstantial(v.error())) first = &v.error();
  }
  if (!first) return std::nullopt;  // only placeholders and the like: inconclusive
  std::string msg = fmt::format(
      "expression '{}': projection '{}' has no value in any of the {} "
      "sample(s): {}",
      e.text, p.label, s.len(), first->message());
  const std::string_view proj = p.label;
  std::string_view want = proj.substr(proj.find(':') + 1);
  if (auto slash = want.find('/'); proj.starts_with("var:") && slash != std::string_view::npos)
    want.remove_prefix(slash + 1);
  want = want.substr(0, want.find_first_of(".[@"));
  auto names = detail::known_names(s, proj);
  if (!names.empty() && !first->is<errors::ProjectionFailed>()) {
    std::string list;
    for (const auto& n : detail::nearest_names(want, names, 5))
      list += (list.empty() ? "" : ", ") + n;
    msg += fmt::format(" (nearest names: {})", list);
  }
  return Error(ErrorCode::InvalidArgument, std::move(msg));
}

// Unsigned unless a sample holds a float (then floats) or a negative value
// (then signed, unless another is above i64's range: then floats, said).
ValueClass class_of(const Projection& p, std::vector<std::string>& hints) {
  bool any_float = false, any_signed = false, big_unsigned = false, any_bool = false;
  for (const auto& v : p.values) {
    if (!v) continue;
    any_float |= v->cls == ValueClass::Float;
    any_signed |= v->cls == ValueClass::Signed;
    any_bool |= v->cls == ValueClass::Bool;
    big_unsigned |= v->cls == ValueClass::Unsigned &&
                    v->u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  }
  if (any_bool) return ValueClass::Bool;
  if (any_float) return ValueClass::Float;
  if (!any_signed) return ValueClass::Unsigned;
  if (!big_unsigned) return ValueClass::Signed;
  hints.push_back(
      fmt::format("{}: negative values and values above 2^63-1 in one series: "
                  "compared as f64 (approximately)",
                  p.label));
  return ValueClass::Float;
}

template <class T>
T as(const Number& n) {
  if constexpr (std::is_same_v<T, std::uint64_t>)
    return n.u;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return n.cls == ValueClass::Signed ? n.i : static_cast<std::int64_t>(n.u);
  else if constexpr (std::is_same_v<T, bool>)
    return n.b;
  else
    return n.f;
}

// The rows in `keep`, as the pattern library's series.
template <class T>
SeriesField<T> field_of(const SampleSeries& s, const Projection& p,
                        const std::vector<std::size_t>& keep) {
  std::vector<std::string> tags;
  std::vector<std::optional<std::uint64_t>> ms;
  std::vector<std::expected<T, SnapshotError>> values;
  std::vector<std::optional<Phase>> phases;
  for (std::size_t k : keep) {
    const SampleRow& r = s.rows()[k];
    tags.push_back(r.tag);
    ms.push_back(r.elapsed_ms);
    phases.push_back(r.step_index ? std::optional<Phase>(Phase{*r.step_index}) : std::nullopt);
    values.emplace_back(as<T>(*p.values[k]));
  }
  return SeriesField<T>(p.label, std::move(tags), std::move(ms), std::move(values),
                        std::move(phases));
}

// A count argument (window, samples): clamped to [0, 2^64-1]; a double
// outside it has no integer value (found by the check_expr fuzz target).
std::uint64_t count_arg(double d) {
  if (!(d > 0)) return 0;
  if (d >= 18446744073709551616.0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(d);
}

// A bound exactly as written in the class T; nullopt when it has no exact
// value there (a fraction, or a negative bound for unsigned values).
template <class T>
std::optional<T> exact_bound(const std::string& text) {
  if constexpr (std::is_same_v<T, double>) {
    return std::nullopt;
  } else {
    T v{};
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
    return v;
  }
}

template <class T>
bool bounds_exact(const Expectation& e) {
  return std::all_of(e.num_texts.begin(), e.num_texts.end(),
                     [](const std::string& t) { return exact_bound<T>(t).has_value(); });
}

template <class T>
void run_pattern(const Expectation& e, const SeriesField<T>& f, const SeriesField<double>* g,
                 Verdict& v) {
  const auto& n = e.nums;
  const std::string& pat = e.pattern;
  if (pat == "nondecreasing") {
    f.nondecreasing(v);
  } else if (pat == "strictly_increasing") {
    f.strictly_increasing(v);
  } else if (pat == "rate_within") {
    f.rate_within(v, n[0], n[1]);
  } else if (pat == "steady_within") {
    f.steady_within(v, count_arg(n[0]), n[1]);
  } else if (pat == "converges_to") {
    f.converges_to(v, n[0], n[1], count_arg(n[2]));
  } else if (pat == "ratio_within") {
    f.ratio_within(v, *g, n[0], n[1]);
  } else if (pat.starts_with("each.")) {
    if constexpr (std::is_same_v<T, double>) {
      if (pat == "each.at_least")
        f.each(v).at_least(n[0]);
      else if (pat == "each.at_most")
        f.each(v).at_most(n[0]);
      else
        f.each(v).between(n[0], n[1]);
    } else {
      auto b0 = *exact_bound<T>(e.num_texts[0]);
      if (pat == "each.at_least")
        f.each(v).at_least(b0);
      else if (pat == "each.at_most")
        f.each(v).at_most(b0);
      else
        f.each(v).between(b0, *exact_bound<T>(e.num_texts[1]));
    }
  }
}

}  // namespace

Result<ExpectationOutcome> evaluate_expectation(const Expectation& e, const SampleSeries& s) {
  ExpectationOutcome out;
  out.text = e.text;
  out.samples = s.len();
  out.needed = samples_needed(e.pattern);
  const bool truth = e.pattern == "always_true";
  std::vector<Projection> projs;
  for (const auto& text : e.projs) {
    auto p = detail::project(s, text, truth);
    if (!p) return p.error().with_context(fmt::format("expression '{}'", e.text));
    if (auto err = no_value_anywhere(e, s, *p)) return *err;
    out.hints.insert(out.hints.end(), p->hints.begin(), p->hints.end());
    projs.push_back(std::move(*p));
  }

  // Every pattern looks at the samples where every projection has a value;
  // the others are said once, with the first one's reason.
  std::vector<std::size_t> keep;
  for (std::size_t k = 0; k < s.len(); ++k)
    if (std::all_of(projs.begin(), projs.end(), [&](const Projection& p) { return p.values[k]; }))
      keep.push_back(k);
  out.evaluated = keep.size();
  for (const auto& p : projs) {
    std::size_t missing = 0;
    const SnapshotError* first = nullptr;
    std::size_t first_at = 0;
    for (std::size_t k = 0; k < p.values.size(); ++k)
      if (!p.values[k] && missing++ == 0) {
        first = &p.values[k].error();
        first_at = k;
      }
    if (missing)
      out.hints.push_back(
          fmt::format("{}: {} of {} sample(s) have no value and are left out (first: {}: {})",
                      p.label, missing, s.len(), s.rows()[first_at].tag, first->message()));
  }

  ValueClass cls = class_of(projs[0], out.hints);
  if (e.pattern.starts_with("each.") &&
      ((cls == ValueClass::Unsigned && !bounds_exact<std::uint64_t>(e)) ||
       (cls == ValueClass::Signed && !bounds_exact<std::int64_t>(e))))
    cls = ValueClass::Float;  // fractional or out-of-class bounds: compared as numbers
  out.value_class = cls;

  Verdict v;
  std::optional<SeriesField<double>> other;
  if (projs.size() > 1) other = field_of<double>(s, projs[1], keep);
  const SeriesField<double>* g = other ? &*other : nullptr;
  if (truth) {
    field_of<bool>(s, projs[0], keep).always_true(v);
  } else if (cls == ValueClass::Unsigned) {
    run_pattern(e, field_of<std::uint64_t>(s, projs[0], keep), g, v);
  } else if (cls == ValueClass::Signed) {
    run_pattern(e, field_of<std::int64_t>(s, projs[0], keep), g, v);
  } else {
    run_pattern(e, field_of<double>(s, projs[0], keep), g, v);
  }
  out.failures = v.failures();
  out.inconclusives = v.inconclusives();
  out.notes = v.notes();
  const bool too_few = out.evaluated < out.needed;
  if (v.passed() && too_few)
    out.inconclusives.push_back(
        fmt::format("{}: {} of {} sample(s) evaluated, the pattern needs at least {}", e.text,
                    out.evaluated, out.samples, out.needed));
  out.kind = !out.failures.empty()        ? VerdictKind::Fail
             : !out.inconclusives.empty() ? VerdictKind::Inconclusive
                                          : VerdictKind::Pass;
  // The summary of where it failed, when it is found again sample for
  // sample (never a summary that disagrees with the pattern's own count).
  if (out.kind == VerdictKind::Fail && projs.size() == 1)
    if (auto span = detail::failure_span(e, s, projs[0], keep);
        span && span->count == out.failures.size())
      out.failing = std::move(*span);
  return out;
}

OutcomeCounts count_outcomes(std::span<const ExpectationOutcome> outcomes) {
  OutcomeCounts c;
  for (const auto& o : outcomes) {
    if (o.kind == VerdictKind::Fail)
      ++c.failed;
    else if (o.kind == VerdictKind::Inconclusive)
      ++c.inconclusive;
    else
      ++c.passed;
  }
  return c;
}

int outcomes_exit_code(std::span<const ExpectationOutcome> outcomes) {
  OutcomeCounts c = count_outcomes(outcomes);
  return c.failed ? 1 : c.inconclusive ? 4 : 0;
}

}  // namespace scxsnap
