// SPDX-License-Identifier: Apache-2.0
// Printing outcomes (scxsnap/expect.hpp): the same ExpectationOutcome as
// `check`'s text, one JSON document, or JUnit XML for CI dashboards.
#include "report/json/json_writer.hpp"
#include "report/markup.hpp"
#include "scxsnap/expect.hpp"

#include <fmt/format.h>

namespace scxsnap {
namespace {

std::string evaluated_text(const ExpectationOutcome& o) {
  return fmt::format("{} of {} sample(s) evaluated, compared as {}", o.evaluated, o.samples,
                     value_class_name(o.value_class));
}

void string_array(detail::JsonWriter& w, std::string_view key,
                  const std::vector<std::string>& items) {
  w.key(key);
  w.begin_array();
  for (const auto& s : items) w.value_string(s);
  w.end_array();
}

std::string at(const FailingSample& f) {
  return f.elapsed_ms ? fmt::format("{} (+{}ms)", f.tag, *f.elapsed_ms) : f.tag;
}

void failing_sample(detail::JsonWriter& w, std::string_view key, const FailingSample& f) {
  w.key(key);
  w.begin_object();
  w.field_string("tag", f.tag);
  if (f.elapsed_ms) w.field_u64("elapsed_ms", *f.elapsed_ms);
  w.field_string("value", f.value);
  w.end_object();
}

std::string lines(const std::vector<std::string>& a, const std::vector<std::string>& b = {}) {
  std::string out;
  for (const auto* v : {&a, &b})
    for (const auto& s : *v) out += s + "\n";
  return out;
}

}  // namespace

std::string failure_summary(const ExpectationOutcome& o) {
  if (o.failing) {
    const FailureSpan& f = *o.failing;
    std::string where =
        f.count == 1 ? "at " + at(f.first) : fmt::format("from {} to {}", at(f.first), at(f.last));
    return fmt::format("{} failing sample(s) {}; worst {}: {} ({})", f.count, where, at(f.worst),
                       f.worst.value, f.worst_by);
  }
  if (o.failures.empty()) return {};
  return fmt::format("{} failure(s); first: {}", o.failures.size(), o.failures.front());
}

std::string outcomes_text(std::span<const ExpectationOutcome> outcomes, const SampleSeries& series,
                          std::size_t max_failures) {
  std::string out;
  for (const auto& n : series.notes()) out += fmt::format("NOTE: {}\n", n);
  for (const auto& o : outcomes) {
    for (std::size_t k = 0; k < o.failures.size() && k < max_failures; ++k)
      out += fmt::format("FAIL: {}\n", o.failures[k]);
    if (o.failures.size() > max_failures)
      out += fmt::format("FAIL: {}: {} more failure(s) not shown (--max-failures {} shows them)\n",
                         o.text, o.failures.size() - max_failures, o.failures.size());
    if (o.failing) out += fmt::format("FAIL: {}: {}\n", o.text, failure_summary(o));
    for (const auto& m : o.inconclusives) out += fmt::format("INCONCLUSIVE: {}\n", m);
    for (const auto& m : o.notes) out += fmt::format("NOTE: {}\n", m);
    for (const auto& m : o.hints) out += fmt::format("NOTE: {}\n", m);
  }
  for (const auto& o : outcomes) {
    std::string tail = o.failures.empty() ? "" : fmt::format(", {} failure(s)", o.failures.size());
    out += fmt::format("{:<12} {}: {}{}\n", verdict_word(o.kind), o.text, evaluated_text(o), tail);
  }
  OutcomeCounts c = count_outcomes(outcomes);
  out +=
      fmt::format("check: {} sample(s), {} assertion(s): {} passed, {} failed, {} inconclusive\n",
                  series.len(), outcomes.size(), c.passed, c.failed, c.inconclusive);
  return out;
}

std::string outcomes_json(std::span<const ExpectationOutcome> outcomes, const SampleSeries& series,
                          std::string_view source) {
  std::string out;
  detail::JsonWriter w(out);
  OutcomeCounts c = count_outcomes(outcomes);
  w.begin_object();
  w.field_string("source", source);
  w.field_u64("samples", series.len());
  w.field_string("verdict", verdict_word(c.failed         ? VerdictKind::Fail
                                         : c.inconclusive ? VerdictKind::Inconclusive
                                                          : VerdictKind::Pass));
  w.field_u64("passed", c.passed);
  w.field_u64("failed", c.failed);
  w.field_u64("inconclusive", c.inconclusive);
  string_array(w, "notes", series.notes());
  w.key("assertions");
  w.begin_array();
  for (const auto& o : outcomes) {
    w.begin_object();
    w.field_string("expr", o.text);
    w.field_string("verdict", verdict_word(o.kind));
    w.field_string("compared_as", value_class_name(o.value_class));
    w.field_u64("samples", o.samples);
    w.field_u64("evaluated", o.evaluated);
    w.field_u64("needed", o.needed);
    string_array(w, "failures", o.failures);
    if (o.failing) {
      w.key("failing");
      w.begin_object();
      w.field_u64("count", o.failing->count);
      failing_sample(w, "first", o.failing->first);
      failing_sample(w, "last", o.failing->last);
      failing_sample(w, "worst", o.failing->worst);
      w.field_string("worst_by", o.failing->worst_by);
      w.end_object();
    }
    string_array(w, "inconclusive", o.inconclusives);
    string_array(w, "notes", o.notes);
    string_array(w, "hints", o.hints);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

std::string outcomes_junit(std::span<const ExpectationOutcome> outcomes, const SampleSeries& series,
                           std::string_view source) {
  OutcomeCounts c = count_outcomes(outcomes);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"scxsnap check\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"{2}\">\n"
      "  <testsuite name=\"{3}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" skipped=\"{2}\">\n",
      outcomes.size(), c.failed, c.inconclusive, detail::escape_markup(source));
  out += fmt::format("    <properties><property name=\"samples\" value=\"{}\"/></properties>\n",
                     series.len());
  for (const auto& o : outcomes) {
    out += fmt::format("    <testcase classname=\"scxsnap.check\" name=\"{}\">\n",
                       detail::escape_markup(o.text));
    if (o.kind == VerdictKind::Fail)
      out += fmt::format("      <failure message=\"{}\" type=\"FAIL\">{}</failure>\n",
                         detail::escape_markup(failure_summary(o)),
                         detail::escape_markup(lines(o.failures)));
    else if (o.kind == VerdictKind::Inconclusive)
      out += fmt::format("      <skipped message=\"{}\"/>\n",
                         detail::escape_markup("INCONCLUSIVE: " + o.inconclusives.front()));
    out += fmt::format("      <system-out>{}</system-out>\n",
                       detail::escape_markup(evaluated_text(o) + "\n" + lines(o.notes, o.hints)));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace scxsnap
