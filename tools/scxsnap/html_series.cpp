// SPDX-License-Identifier: Apache-2.0
// `scxsnap report SERIES.jsonl`: every numeric global of each object as a
// small plot over time (counters as their rate), phase boundaries marked,
// placeholder samples as gaps, per-CPU maps as CPU x time heat maps, and the
// `--expect` assertions with their verdicts, drawn on the plots they test.
#include "html.hpp"
#include "html_pages.hpp"
#include "scxsnap/objects.hpp"
#include "value_leaves.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <unordered_map>

namespace scxsnap::cli {
namespace {

constexpr std::size_t kMaxLeavesPerMap = 400;
constexpr std::size_t kMaxHeatLeaves = 4;
constexpr std::size_t kOpenGroups = 8;     // more objects than this: only the active one open
constexpr std::uint32_t kPercpuArray = 6;  // BPF_MAP_TYPE_PERCPU_ARRAY

// One plotted global: its values per sample (none: absent or a placeholder).
struct Track {
  std::string group, section, path;
  std::vector<std::optional<double>> y;
  std::vector<std::optional<std::uint64_t>> exact;
  std::vector<std::string> text;
};

bool is_global_section(std::string_view name) {
  for (std::string_view s : {".bss", ".data"}) {
    auto at = name.find(s);
    if (at != std::string_view::npos &&
        (at + s.size() == name.size() || name[at + s.size()] == '.'))
      return true;
  }
  return false;
}

std::string group_of(const std::string& map_name) {
  std::string_view p = section_prefix(map_name);
  return p.empty() ? std::string("(no object)") : std::string(p);
}

// A counter: integers that never go down and do change.
bool is_counter(const Track& t) {
  std::optional<std::uint64_t> prev;
  bool changed = false;
  for (std::size_t i = 0; i < t.exact.size(); ++i) {
    if (!t.y[i]) continue;
    if (!t.exact[i]) return false;
    if (prev && *t.exact[i] < *prev) return false;
    if (prev && *t.exact[i] != *prev) changed = true;
    prev = t.exact[i];
  }
  return changed;
}

// Units per second between consecutive present samples, from integer deltas.
std::vector<std::optional<double>> rates(const Track& t, const std::vector<double>& t_ms) {
  std::vector<std::optional<double>> out(t.y.size());
  std::optional<std::size_t> prev;
  for (std::size_t i = 0; i < t.y.size(); ++i) {
    if (!t.exact[i]) continue;
    if (prev && t_ms[i] > t_ms[*prev]) {
      const std::uint64_t d = *t.exact[i] - *t.exact[*prev];
      out[i] = static_cast<double>(d) * 1000.0 / (t_ms[i] - t_ms[*prev]);
    }
    prev = i;
  }
  return out;
}

struct ExpectMark {
  std::string text;
  VerdictKind kind = VerdictKind::Pass;
  std::string obj;                                          // var:OBJ/NAME: only OBJ's plot
  std::vector<std::pair<double, std::string>> bounds;       // on the value plot
  std::vector<std::pair<double, std::string>> rate_bounds;  // on the rate plot (/s)
};

int severity(VerdictKind k) {
  return k == VerdictKind::Fail ? 2 : k == VerdictKind::Inconclusive ? 1 : 0;
}

// Which global an assertion is about (var:NAME or var:OBJ/NAME), and the
// lines it implies.
std::optional<std::pair<std::string, ExpectMark>> mark_for(const Expectation& e, VerdictKind kind) {
  if (e.projs.empty() || !e.projs.front().starts_with("var:")) return std::nullopt;
  std::string name = e.projs.front().substr(4);
  ExpectMark m{e.text, kind, {}, {}, {}};
  if (auto slash = name.find('/'); slash != std::string::npos) {
    m.obj = name.substr(0, slash);
    name.erase(0, slash + 1);
  }
  const auto& n = e.nums;
  if (e.pattern == "each.at_least" && n.size() >= 1) m.bounds.emplace_back(n[0], "at least");
  if (e.pattern == "each.at_most" && n.size() >= 1) m.bounds.emplace_back(n[0], "at most");
  if (e.pattern == "each.between" && n.size() >= 2) {
    m.bounds.emplace_back(n[0], "low");
    m.bounds.emplace_back(n[1], "high");
  }
  if (e.pattern == "converges_to" && n.size() >= 1) m.bounds.emplace_back(n[0], "target");
  if (e.pattern == "rate_within" && n.size() >= 2) {  // per ms in the expression
    m.rate_bounds.emplace_back(n[0] * 1000, "low");
    m.rate_bounds.emplace_back(n[1] * 1000, "high");
  }
  return std::make_pair(std::move(name), std::move(m));
}

}  // namespace

Result<std::string> series_html(const SampleSeries& series, const std::string& source,
                                const std::vector<Expectation>& expects, bool only_expected) {
  const auto& rows = series.rows();
  // --only-expected: the maps and globals the assertions name.
  const ExpectationNeeds needs = expectation_needs(expects);
  auto named = [&](const std::vector<std::string>& list, std::string_view name) {
    return !only_expected || std::find(list.begin(), list.end(), name) != list.end();
  };
  auto wanted_global = [&](const std::string& map, const std::string& path) {
    return named(needs.maps, map) || named(needs.vars, path.substr(0, path.find_first_of(".[")));
  };
  const std::size_t n = rows.size();
  std::vector<double> t_ms(n);
  std::size_t placeholders = 0;
  for (std::size_t i = 0; i < n; ++i) {
    t_ms[i] =
        rows[i].elapsed_ms ? static_cast<double>(*rows[i].elapsed_ms) : (i ? t_ms[i - 1] : 0.0);
    placeholders += rows[i].report.is_placeholder;
  }
  // Phase boundaries: where the step index changes.
  std::vector<std::pair<double, std::string>> phases;
  std::optional<std::uint16_t> step;
  for (std::size_t i = 0; i < n; ++i) {
    if (rows[i].step_index != step && rows[i].step_index)
      phases.emplace_back(t_ms[i], fmt::format("Step[{}]", *rows[i].step_index));
    step = rows[i].step_index;
  }

  // Globals and per-CPU slots, sample by sample.
  std::vector<Track> tracks;
  std::unordered_map<std::string, std::size_t> index;
  struct Heat {
    std::string map, path;
    std::size_t cpus = 0;
    std::vector<std::vector<std::optional<double>>> by_sample;  // [sample][cpu]
    std::vector<std::vector<std::optional<std::uint64_t>>> exact;
  };
  std::vector<Heat> heats;
  std::unordered_map<std::string, std::size_t> heat_index;
  std::size_t left_out = 0, heat_keys_left = 0, heat_values_left = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const FailureDumpReport& r = rows[i].report;
    if (r.is_placeholder) continue;
    for (const auto& m : r.maps) {
      if (is_global_section(m.name) && m.value) {
        std::vector<Leaf> leaves;
        std::size_t more = 0;
        numeric_leaves(*m.value, "", leaves, kMaxLeavesPerMap, more);
        if (i + 1 == n || i == 0) left_out = std::max(left_out, more);
        for (auto& l : leaves) {
          if (!wanted_global(m.name, l.path)) continue;
          std::string key = m.name + "\n" + l.path;
          auto [it, fresh] = index.emplace(key, tracks.size());
          if (fresh) {
            Track t{group_of(m.name), m.name, l.path, {}, {}, {}};
            t.y.resize(n);
            t.exact.resize(n);
            t.text.resize(n);
            tracks.push_back(std::move(t));
          }
          Track& t = tracks[it->second];
          t.y[i] = l.value;
          t.exact[i] = l.exact;
          t.text[i] = std::move(l.text);
        }
      }
      if (m.map_type == kPercpuArray && !m.percpu_entries.empty() && named(needs.maps, m.name)) {
        const auto& e = m.percpu_entries.front();
        if (i + 1 == n) heat_keys_left += m.percpu_entries.size() - 1;
        for (std::size_t c = 0; c < e.per_cpu.size(); ++c) {
          if (!e.per_cpu[c]) continue;
          std::vector<Leaf> leaves;
          std::size_t more = 0;
          numeric_leaves(*e.per_cpu[c], "", leaves, kMaxHeatLeaves, more, 1);
          if (i + 1 == n && c == 0) heat_values_left += more;
          for (const auto& l : leaves) {
            std::string key = m.name + "\n" + l.path;
            auto [it, fresh] = heat_index.emplace(key, heats.size());
            if (fresh)
              heats.push_back(Heat{m.name, l.path, 0,
                                   std::vector<std::vector<std::optional<double>>>(n),
                                   std::vector<std::vector<std::optional<std::uint64_t>>>(n)});
            Heat& h = heats[it->second];
            h.cpus = std::max(h.cpus, e.per_cpu.size());
            auto& row = h.by_sample[i];
            auto& ex = h.exact[i];
            row.resize(e.per_cpu.size());
            ex.resize(e.per_cpu.size());
            row[c] = l.value;
            ex[c] = l.exact;
          }
        }
      }
    }
  }

  // Assertions: evaluated as `check` does, then drawn on their globals' plots.
  std::string body;
  std::multimap<std::string, ExpectMark> marks;
  if (!expects.empty()) {
    body += "<h2>Assertions</h2><table class=\"assertions\">";
    for (const auto& e : expects) {
      SCXSNAP_TRY(ExpectationOutcome o, evaluate_expectation(e, series));
      // A short line per assertion (first failure, count, what was looked
      // at); every message behind a click.
      std::string detail;
      if (!o.failures.empty())
        detail = html::esc(
            fmt::format("{} failure(s); first: {}", o.failures.size(), o.failures.front()));
      else if (!o.inconclusives.empty())
        detail = html::esc(o.inconclusives.front());
      if (!detail.empty()) detail += "<br>";
      detail += html::esc(fmt::format("{} of {} sample(s) evaluated, compared as {}", o.evaluated,
                                      o.samples, value_class_name(o.value_class)));
      std::string all;
      for (const auto* list : {&o.failures, &o.inconclusives, &o.notes, &o.hints})
        for (const auto& m : *list) all += html::esc(m) + "<br>";
      if (o.failures.size() + o.inconclusives.size() + o.notes.size() + o.hints.size() > 1)
        detail += fmt::format("<details><summary>all messages</summary>{}</details>", all);
      body += fmt::format(
          "<tr data-name=\"{0}\" data-verdict=\"{1}\"><td><span class=\"badge {2}\">{1}</span>"
          "</td><td class=\"v\">{0}</td><td>{3}</td></tr>",
          html::esc(e.text), verdict_word(o.kind), verdict_slug(o.kind), detail);
      if (auto mk = mark_for(e, o.kind)) marks.emplace(mk->first, std::move(mk->second));
    }
    body += "</table>";
  }

  // One group per object, in order of first appearance.
  // The active object first and open; with many objects the others start
  // collapsed (a page of hundreds of plots opens faster, and reads better).
  std::vector<std::string> groups;
  for (const auto& t : tracks)
    if (std::find(groups.begin(), groups.end(), t.group) == groups.end()) groups.push_back(t.group);
  std::string active;
  for (std::size_t i = n; i-- > 0;)
    if (rows[i].report.active_obj_name) {
      active = *rows[i].report.active_obj_name;
      break;
    }
  std::stable_partition(groups.begin(), groups.end(), [&](const std::string& g) {
    return !active.empty() && is_object_section_name(active, g + ".bss");
  });
  std::size_t plotted = 0;
  for (const auto& g : groups) {
    std::string cards;
    std::size_t count = 0;
    for (const auto& t : tracks) {
      if (t.group != g) continue;
      ++count;
      html::LinePlot p;
      const bool counter = is_counter(t);
      const std::string label =
          t.section.substr(t.section.find('.')) + (t.path.empty() ? "" : " " + t.path);
      p.name = t.section + " " + t.path;
      p.title = counter ? "rate of " + label : label;
      p.unit = counter ? "/s" : "";
      p.t_ms = t_ms;
      p.y = counter ? rates(t, t_ms) : t.y;
      p.missing.resize(n);
      for (std::size_t i = 0; i < n; ++i) p.missing[i] = !t.y[i];
      p.phases = phases;
      // The last sample with a value: its text, and for a counter its rate.
      for (std::size_t i = n; i-- > 0;)
        if (t.y[i]) {
          p.last_text = counter ? html::num(p.y[i].value_or(0)) : t.text[i];
          if (counter) p.note = "counter, last value " + t.text[i];
          break;
        }
      auto [a, b] = marks.equal_range(t.path);
      int worst = -1;
      for (auto it = a; it != b; ++it) {
        const ExpectMark& m = it->second;
        if (!m.obj.empty() && !m.obj.starts_with("btf:") &&
            !is_object_section_name(m.obj, t.section))
          continue;
        p.badge +=
            fmt::format("{}{} {}", p.badge.empty() ? "" : "; ", verdict_word(m.kind), m.text);
        if (severity(m.kind) > worst) {
          worst = severity(m.kind);
          p.badge_class = std::string(verdict_slug(m.kind));
        }
        for (const auto& bnd : counter ? m.rate_bounds : m.bounds) p.bounds.push_back(bnd);
      }
      cards += html::line_plot(p);
    }
    plotted += count;
    const bool is_active = !active.empty() && is_object_section_name(active, g + ".bss");
    body += fmt::format(
        "<details class=\"group\"{}><summary>object {}{} ({} global value{})</summary>"
        "<div class=\"grid\">{}</div></details>",
        is_active || groups.size() <= kOpenGroups ? " open" : "", html::esc(g),
        is_active ? " (active)" : "", count, count == 1 ? "" : "s", cards);
  }
  if (left_out)
    body += fmt::format(
        "<p class=\"warn\">{} more value(s) per sample not plotted (arrays past 16 elements, "
        "more than {} values in one section); use <code>scxsnap var</code> for them.</p>",
        left_out, kMaxLeavesPerMap);
  if (!heats.empty()) {
    std::string cards;
    for (const auto& h : heats) {
      // Counters per CPU show what each sample added.
      bool monotonic = true;
      for (std::size_t c = 0; c < h.cpus && monotonic; ++c) {
        std::optional<std::uint64_t> prev;
        for (std::size_t i = 0; i < n; ++i) {
          if (c >= h.exact[i].size() || !h.exact[i][c]) continue;
          if (prev && *h.exact[i][c] < *prev) monotonic = false;
          prev = h.exact[i][c];
        }
      }
      std::vector<std::optional<double>> cells(h.cpus * n);
      for (std::size_t c = 0; c < h.cpus; ++c) {
        std::optional<std::size_t> prev;
        for (std::size_t i = 0; i < n; ++i) {
          if (c >= h.by_sample[i].size() || !h.by_sample[i][c]) continue;
          if (!monotonic) {
            cells[c * n + i] = h.by_sample[i][c];
          } else if (prev) {
            cells[c * n + i] = static_cast<double>(*h.exact[i][c] - *h.exact[*prev][c]);
          }
          prev = i;
        }
      }
      std::string title =
          h.map + (h.path.empty() ? "" : " " + h.path) + (monotonic ? " (added per sample)" : "");
      cards += html::heat_map(h.map + " " + h.path, title, h.cpus, n, cells);
    }
    std::string left;
    if (heat_keys_left || heat_values_left)
      left = fmt::format(
          "<p class=\"warn\">Heat maps show key 0 of each per-CPU array and its first {} "
          "values: {} more key(s) and {} more value(s) per slot are not drawn (see "
          "<code>scxsnap map</code>).</p>",
          kMaxHeatLeaves, heat_keys_left, heat_values_left);
    body += fmt::format(
        "<details class=\"group\" open><summary>per-CPU maps ({} heat map{})</summary>"
        "<div class=\"grid\">{}</div>{}</details>",
        heats.size(), heats.size() == 1 ? "" : "s", cards, left);
  }
  for (const auto& note : series.notes())
    body += "<p class=\"note\">note: " + html::esc(note) + "</p>";
  if (tracks.empty() && heats.empty())
    body += "<p class=\"warn\">No numeric globals or per-CPU maps in this series.</p>";

  const double span = n ? t_ms.back() - t_ms.front() : 0;
  std::string subtitle = fmt::format(
      "{}: {} sample{} over {} ms, {} phase boundar{}, {} placeholder sample{}, {} plot{}", source,
      n, n == 1 ? "" : "s", html::num(span), phases.size(), phases.size() == 1 ? "y" : "ies",
      placeholders, placeholders == 1 ? "" : "s", plotted, plotted == 1 ? "" : "s");
  return html::page("scxsnap series " + source, subtitle, body);
}

}  // namespace scxsnap::cli
