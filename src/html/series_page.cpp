// SPDX-License-Identifier: Apache-2.0
// `scxsnap report SERIES`: it leads with what changed (the globals that moved
// most, ranked), then every numeric global of each object as a small plot over
// time (counters as their rate, gauges as values; the objects that moved most
// first, values that never changed collapsed into one line), phase boundaries
// marked, placeholder samples as gaps, per-CPU maps as CPU x time heat maps
// with a colour legend, and the `--expect` assertions with their verdicts,
// drawn on the plots they test.
#include "page_parts.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/objects.hpp"
#include "series_movement.hpp"
#include "value_leaves.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <unordered_map>

namespace scxsnap::html {
namespace {

constexpr std::size_t kMaxLeavesPerMap = 400;
constexpr std::size_t kMaxHeatLeaves = 4;
constexpr std::size_t kMovedRows = 15;     // rows of the "what changed" table
constexpr std::size_t kFlatInline = 12;    // more unchanged values than this: behind a click
constexpr std::size_t kOpenGroups = 8;     // more objects than this: only the active one open
constexpr std::uint32_t kPercpuArray = 6;  // BPF_MAP_TYPE_PERCPU_ARRAY

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

Result<std::string> series_page(const SampleSeries& series, const std::string& source,
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
    // Two objects of one name (a scheduler loaded twice) have sections of one
    // name: those are told apart by their BTF id, never mixed into one plot.
    std::unordered_map<std::string_view, std::size_t> same_name;
    for (const auto& m : r.maps) ++same_name[m.name];
    for (const auto& m : r.maps) {
      if (is_global_section(m.name) && m.value) {
        const bool twin = same_name[m.name] > 1;
        const std::string group =
            twin ? fmt::format("{} (btf:{})", group_of(m.name), m.btf_id) : group_of(m.name);
        std::vector<Leaf> leaves;
        std::size_t more = 0;
        numeric_leaves(*m.value, "", leaves, kMaxLeavesPerMap, more);
        if (i + 1 == n || i == 0) left_out = std::max(left_out, more);
        for (auto& l : leaves) {
          if (!wanted_global(m.name, l.path)) continue;
          std::string key = group + "\n" + m.name + "\n" + l.path;
          auto [it, fresh] = index.emplace(key, tracks.size());
          if (fresh) {
            Track t{group, m.name, l.path, {}, {}, {}};
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
            const std::string map =
                same_name[m.name] > 1 ? fmt::format("{} (btf:{})", m.name, m.btf_id) : m.name;
            std::string key = map + "\n" + l.path;
            auto [it, fresh] = heat_index.emplace(key, heats.size());
            if (fresh)
              heats.push_back(Heat{map, l.path, 0,
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
        detail = html::esc(failure_summary(o));
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

  // How each global moved; the page leads with the ones that moved most.
  std::vector<Movement> moved(tracks.size());
  for (std::size_t k = 0; k < tracks.size(); ++k) moved[k] = movement_of(tracks[k]);
  std::vector<std::size_t> by_score(tracks.size());
  for (std::size_t k = 0; k < tracks.size(); ++k) by_score[k] = k;
  std::stable_sort(by_score.begin(), by_score.end(),
                   [&](std::size_t a, std::size_t b) { return moved[a].score > moved[b].score; });
  std::size_t moving = 0;
  for (const auto& m : moved) moving += !m.flat();
  auto label_of = [](const Track& t) {
    return t.section.substr(t.section.find('.')) + (t.path.empty() ? "" : " " + t.path);
  };
  auto value_text = [&](const Track& t, std::optional<std::size_t> i) {
    return i ? t.text[*i] : std::string("-");
  };
  if (moving) {
    std::string rows_html;
    std::size_t shown = 0;
    for (std::size_t k : by_score) {
      const Movement& m = moved[k];
      if (m.flat() || shown == kMovedRows) break;
      ++shown;
      const Track& t = tracks[k];
      const html::Unit u = html::unit_of(t.path);
      rows_html += fmt::format(
          "<tr data-name=\"{0} {1}\"><td>{2}</td><td class=\"v\"><a href=\"#p{3}\">{4}</a></td>"
          "<td class=\"n\">{5} \u2192 {6}</td><td class=\"n\">{7} \u2026 {8}</td>"
          "<td class=\"n\">{9} of {10}</td><td>{11}</td></tr>",
          html::esc(t.section), html::esc(t.path), html::esc(t.group), k, html::esc(label_of(t)),
          html::esc(value_text(t, m.first)), html::esc(value_text(t, m.last)),
          html::esc(html::axis_label(m.lo, 0, u)), html::esc(html::axis_label(m.hi, 0, u)),
          m.changes, m.present - 1, is_counter(t) ? "counter (rate)" : "value");
    }
    body += fmt::format(
        "<h2>What changed</h2><p class=\"note\">{} of {} global value{} changed during the "
        "series; the {} that moved most (range relative to size, times the share of samples "
        "in which it changed):</p><table class=\"moved\"><tr><th>object</th><th>value</th>"
        "<th>first \u2192 last</th><th>range</th><th>changed in</th><th>drawn as</th></tr>{}"
        "</table>",
        moving, tracks.size(), tracks.size() == 1 ? "" : "s", shown, rows_html);
  } else if (!tracks.empty()) {
    body += fmt::format(
        "<h2>What changed</h2><p class=\"note\">None of the {} global value{} "
        "changed during the series.</p>",
        tracks.size(), tracks.size() == 1 ? "" : "s");
  }

  // One group per object: the active object first, then the objects whose
  // values moved most; with many objects only the first few start open (a
  // page of hundreds of plots opens faster, and reads better).
  std::vector<std::string> groups;
  std::map<std::string, double> group_score;
  std::map<std::string, std::size_t> group_moving;
  for (std::size_t k = 0; k < tracks.size(); ++k) {
    const auto& g = tracks[k].group;
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    group_score[g] = std::max(group_score[g], moved[k].score);
    group_moving[g] += !moved[k].flat();
  }
  std::string active;
  for (std::size_t i = n; i-- > 0;)
    if (rows[i].report.active_obj_name) {
      active = *rows[i].report.active_obj_name;
      break;
    }
  auto is_active = [&](const std::string& g) {
    return !active.empty() && is_object_section_name(active, g + ".bss");
  };
  std::stable_sort(groups.begin(), groups.end(), [&](const std::string& a, const std::string& b) {
    if (is_active(a) != is_active(b)) return is_active(a);
    return group_score[a] > group_score[b];
  });
  std::size_t plotted = 0;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const std::string& g = groups[gi];
    std::string cards, flat;
    std::size_t count = 0, flats = 0;
    for (std::size_t k : by_score) {
      const Track& t = tracks[k];
      if (t.group != g) continue;
      ++count;
      if (moved[k].flat() && marks.count(t.path) == 0) {
        // Never changed: one line for all of them (still found by the filter).
        flat += fmt::format("{}<span class=\"v\" data-name=\"{} {}\">{} = {}</span>",
                            flats ? ", " : "", html::esc(t.section), html::esc(t.path),
                            html::esc(label_of(t)), html::esc(value_text(t, moved[k].last)));
        ++flats;
        continue;
      }
      html::LinePlot p;
      const bool counter = is_counter(t);
      const std::string label = label_of(t);
      p.id = fmt::format("p{}", k);
      p.name = t.section + " " + t.path;
      p.title = counter ? "rate of " + label : label;
      p.unit = counter ? "/s" : "";
      p.value_unit = html::unit_of(t.path);
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
      ++plotted;
    }
    if (flats > kFlatInline)
      flat = fmt::format(
          "<details class=\"flat\"><summary>{} values did not change</summary>{}</details>", flats,
          flat);
    else if (flats)
      flat = fmt::format("<p class=\"flat\">{} value{} did not change: {}</p>", flats,
                         flats == 1 ? "" : "s", flat);
    // Open: the active object, and the first objects that moved (all of
    // them on a page of a few objects).
    const bool open =
        is_active(g) || (groups.size() <= kOpenGroups ? group_moving[g] > 0 || moving == 0
                                                      : gi < kOpenGroups && group_moving[g] > 0);
    body += fmt::format(
        "<details class=\"group\"{}><summary>object {}{} ({} global value{}, {} changed)"
        "</summary><div class=\"grid\">{}</div>{}</details>",
        open ? " open" : "", html::esc(g), is_active(g) ? " (active)" : "", count,
        count == 1 ? "" : "s", group_moving[g], cards, flat);
  }
  if (left_out)
    body += fmt::format(
        "<p class=\"warn\">{} more value(s) per sample not plotted (arrays past 16 elements, "
        "more than {} values in one section); use <code>scxsnap var</code> for them.</p>",
        left_out, kMaxLeavesPerMap);
  if (!heats.empty()) {
    std::string cards, flat;
    std::size_t drawn = 0, flats = 0;
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
      monotonic = monotonic && !looks_like_gauge(h.path);
      std::vector<std::optional<double>> cells(h.cpus * n);
      std::optional<double> lo, hi;
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
          if (const auto& v = cells[c * n + i]) {
            lo = std::min(lo.value_or(*v), *v);
            hi = std::max(hi.value_or(*v), *v);
          }
        }
      }
      const std::string label = h.map + (h.path.empty() ? "" : " " + h.path);
      // A map whose cells are all one value (or that never counted) is a flat block: one line.
      if (!lo || *lo == *hi) {
        // Said by its values (a counter that never counted: the values it holds).
        std::optional<double> raw_lo, raw_hi;
        for (const auto& row : h.by_sample)
          for (const auto& v : row)
            if (v) {
              raw_lo = std::min(raw_lo.value_or(*v), *v);
              raw_hi = std::max(raw_hi.value_or(*v), *v);
            }
        std::string what = " (no value)";
        if (raw_lo && *raw_lo == *raw_hi)
          what = " = " + html::num(*raw_lo);
        else if (raw_lo)
          what = fmt::format(" = {} to {} across CPUs", html::num(*raw_lo), html::num(*raw_hi));
        flat +=
            fmt::format("{}<span class=\"v\" data-name=\"{} {}\">{}{}</span>", flats ? ", " : "",
                        html::esc(h.map), html::esc(h.path), html::esc(label), html::esc(what));
        ++flats;
        continue;
      }
      std::string title = label + (monotonic ? " (added per sample)" : "");
      cards += html::heat_map(h.map + " " + h.path, title, h.cpus, n, cells, html::unit_of(h.path));
      ++drawn;
    }
    std::string left;
    if (heat_keys_left || heat_values_left)
      left = fmt::format(
          "<p class=\"warn\">Heat maps show key 0 of each per-CPU array and its first {} "
          "values: {} more key(s) and {} more value(s) per slot are not drawn (see "
          "<code>scxsnap map</code>).</p>",
          kMaxHeatLeaves, heat_keys_left, heat_values_left);
    if (flats)
      flat = fmt::format("<p class=\"flat\">{} per-CPU value{} did not change: {}</p>", flats,
                         flats == 1 ? "" : "s", flat);
    body += fmt::format(
        "<details class=\"group\" open><summary>per-CPU maps ({} heat map{}, {} flat)</summary>"
        "<div class=\"grid\">{}</div>{}{}</details>",
        drawn, drawn == 1 ? "" : "s", flats, cards, flat, left);
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

}  // namespace scxsnap::html
