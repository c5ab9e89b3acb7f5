// SPDX-License-Identifier: Apache-2.0
// `scxsnap report REPORT.json`: the object tree with values, per-CPU maps as
// bars across CPUs, sizes, caps, errors and the reasons host context is
// missing. Large objects collapse; hash maps show their first entries.
#include "page_parts.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/report_text.hpp"
#include "value_leaves.hpp"

#include <fmt/format.h>

namespace scxsnap::html {
namespace {

constexpr std::size_t kOpenObjects = 8;  // more objects than this start collapsed
constexpr std::size_t kOpenMaps = 16;    // and more maps than this
constexpr std::size_t kMaxCpuLeaves = 8;
constexpr std::size_t kTextMax = 400;

std::string shown(const RenderedValue& v) {
  std::string s = v.display(DisplayOptions{true, true});
  if (s.size() > kTextMax) s = s.substr(0, kTextMax) + " …";
  return s;
}

std::string value_rows(const RenderedValue& v) {
  std::string out = "<table>";
  if (v.kind() == ValueKind::Struct) {
    for (const auto& m : v.members())
      out += fmt::format("<tr data-name=\"{0}\"><td>{0}</td><td class=\"v\">{1}</td></tr>",
                         html::esc(m.name.view()), html::esc(shown(m.value)));
  } else {
    out += fmt::format("<tr><td>value</td><td class=\"v\">{}</td></tr>", html::esc(shown(v)));
  }
  return out + "</table>";
}

std::string key_text(const std::optional<RenderedValue>& key, const std::string& hex) {
  return key ? shown(*key) : "hex " + hex;
}

// Bars across CPUs for each numeric leaf of one per-CPU key.
std::string percpu_bars(const std::string& map, const std::string& key,
                        const std::vector<std::optional<RenderedValue>>& slots) {
  std::vector<std::string> paths;
  std::vector<std::vector<std::optional<double>>> values;
  std::size_t left = 0;
  for (std::size_t c = 0; c < slots.size(); ++c) {
    if (!slots[c]) continue;
    std::vector<Leaf> leaves;
    std::size_t more = 0;
    numeric_leaves(*slots[c], "", leaves, kMaxCpuLeaves, more, 1);
    left = std::max(left, more);
    for (const auto& l : leaves) {
      auto it = std::find(paths.begin(), paths.end(), l.path);
      std::size_t k = static_cast<std::size_t>(it - paths.begin());
      if (it == paths.end()) {
        paths.push_back(l.path);
        values.emplace_back(slots.size());
      }
      values[k][c] = l.value;
    }
  }
  std::string out;
  for (std::size_t k = 0; k < paths.size(); ++k)
    out += html::cpu_bars(fmt::format("{} {} {}", map, key, paths[k]),
                          fmt::format("key {}{}{}", key, paths[k].empty() ? "" : " ", paths[k]),
                          values[k]);
  if (left)
    out += fmt::format(
        "<p class=\"warn\">key {}: {} more value(s) per CPU not drawn (see "
        "<code>scxsnap map</code>)</p>",
        html::esc(key), left);
  return out;
}

std::string map_body(const FailureDumpMap& m, const FailureDumpReport& r, std::size_t max_entries) {
  std::string b;
  if (m.error) b += "<p class=\"err\">error: " + html::esc(*m.error) + "</p>";
  // Ring buffers, stacks, program/map arrays, arenas: what `map` prints.
  auto lines = special_contents(m, false, r);
  if (!lines.empty()) {
    b += "<table>";
    for (const auto& l : lines) b += "<tr><td class=\"v\">" + html::esc(l) + "</td></tr>";
    b += "</table>";
  }
  if (m.value) b += value_rows(*m.value);
  auto more = [&](std::size_t total) {
    return total > max_entries
               ? fmt::format("<p class=\"warn\">first {} of {} shown (--max-entries)</p>",
                             max_entries, total)
               : std::string();
  };
  if (!m.entries.empty()) {
    b += more(m.entries.size()) + "<table><tr><th>key</th><th>value</th></tr>";
    for (std::size_t i = 0; i < m.entries.size() && i < max_entries; ++i) {
      const auto& e = m.entries[i];
      b += fmt::format("<tr><td class=\"v\">{}</td><td class=\"v\">{}</td></tr>",
                       html::esc(key_text(e.key, e.key_hex)),
                       html::esc(e.value ? shown(*e.value) : "hex " + e.value_hex));
    }
    b += "</table>";
  }
  if (!m.array_entries.empty()) {
    b += more(m.array_entries.size()) + "<table><tr><th>index</th><th>value</th></tr>";
    for (std::size_t i = 0; i < m.array_entries.size() && i < max_entries; ++i) {
      const auto& e = m.array_entries[i];
      b += fmt::format("<tr><td>{}</td><td class=\"v\">{}</td></tr>", e.key,
                       html::esc(e.value ? shown(*e.value) : "(unreadable)"));
    }
    b += "</table>";
  }
  if (!m.percpu_entries.empty()) {
    b += more(m.percpu_entries.size()) + "<div class=\"grid\">";
    for (std::size_t i = 0; i < m.percpu_entries.size() && i < max_entries; ++i)
      b +=
          percpu_bars(m.name, std::to_string(m.percpu_entries[i].key), m.percpu_entries[i].per_cpu);
    b += "</div>";
  }
  if (!m.percpu_hash_entries.empty()) {
    b += more(m.percpu_hash_entries.size()) + "<div class=\"grid\">";
    for (std::size_t i = 0; i < m.percpu_hash_entries.size() && i < max_entries; ++i) {
      const auto& e = m.percpu_hash_entries[i];
      b += percpu_bars(m.name, key_text(e.key, e.key_hex), e.per_cpu);
    }
    b += "</div>";
  }
  return b;
}

}  // namespace

std::string report_page(const FailureDumpReport& r, const std::string& source,
                        std::size_t max_entries) {
  std::string body;
  // Why the scheduler stopped, and what fired the capture, come first.
  std::string exit;
  if (r.capture && r.capture->trigger) {
    const CaptureTrigger& t = *r.capture->trigger;
    exit += fmt::format("trigger: {}: {} at {} (captured {} us after)\n", t.kind, t.detail,
                        t.fired_at, t.event_to_capture_us);
  }
  if (auto e = exit_info(r))
    for (const auto& line : exit_info_lines(*e)) exit += line + "\n";
  if (!exit.empty())
    body += "<h2>Scheduler exit</h2><pre class=\"exit\">" + html::esc(exit) + "</pre>";
  // What is missing or cut comes first: nothing is left out silently.
  std::string problems;
  for (const auto& m : r.maps)
    if (m.error)
      problems += fmt::format("<li data-name=\"{0}\"><b>{0}</b>: {1}</li>", html::esc(m.name),
                              html::esc(*m.error));
  for (const auto& row : capped_arrays(r))
    problems += fmt::format(
        "<li data-name=\"{0}\"><b>{0}</b> {1}: array declared {2}, {3} elements kept "
        "(array cap)</li>",
        html::esc(row.map->name), html::esc(row.path), row.c.declared, row.c.kept);
  for (const auto& [name, reason] : unavailable_reasons(r))
    problems += fmt::format("<li>{}_unavailable: {}</li>", html::esc(name), html::esc(*reason));
  if (r.maps_truncated)
    problems +=
        fmt::format("<li>{} map(s) skipped after the capture stopped</li>", r.maps_truncated);
  if (r.capture && r.capture->values_truncated)
    problems += fmt::format("<li>{} value(s) cut to the render budget of {} bytes</li>",
                            r.capture->values_truncated, r.capture->max_value_bytes);
  if (!problems.empty())
    body += "<h2>Missing, cut or failed</h2><ul class=\"problems\">" + problems + "</ul>";

  auto objects = report_objects(r);
  body += fmt::format("<h2>Objects ({} maps in {} group{})</h2>", r.maps.size(), objects.size(),
                      objects.size() == 1 ? "" : "s");
  for (const auto& g : objects) {
    std::uint64_t declared = 0;
    for (std::size_t i : g.maps)
      declared += std::uint64_t{r.maps[i].value_size} * r.maps[i].max_entries;
    body += fmt::format(
        "<details class=\"group\"{}><summary>{} — {} map{}, {} bytes of values declared"
        "</summary>",
        objects.size() <= kOpenObjects ? " open" : "", html::esc(g.title()), g.maps.size(),
        g.maps.size() == 1 ? "" : "s", declared);
    for (std::size_t i : g.maps) {
      const FailureDumpMap& m = r.maps[i];
      body += fmt::format(
          "<details class=\"map\" data-name=\"{}\"{}><summary><b>{}</b> {} · value {} B × {} · "
          "{}{}</summary>",
          html::esc(m.name), r.maps.size() <= kOpenMaps ? " open" : "", html::esc(m.name),
          html::esc(map_type_name(m.map_type)), m.value_size, m.max_entries,
          html::esc(describe_content(m)),
          m.error ? " <span class=\"badge fail\">error</span>" : "");
      body += map_body(m, r, max_entries);
      body += "</details>";
    }
    body += "</details>";
  }
  body += fmt::format(
      "<h2>Host context</h2><table><tr><td>programs (runtime stats)</td><td>{}</td></tr>"
      "<tr><td>CPUs (per_cpu_time)</td><td>{}</td></tr><tr><td>NUMA nodes</td><td>{}</td></tr>"
      "<tr><td>cgroups (PSI)</td><td>{}</td></tr><tr><td>tasks</td><td>{}</td></tr>"
      "<tr><td>event counter samples</td><td>{}</td></tr></table>",
      r.prog_runtime_stats.size(), r.per_cpu_time.size(), r.per_node_numa.size(),
      r.cgroup_psi.size(), r.task_enrichments.size(), r.event_counter_timeline.size());

  std::string subtitle = source;
  if (r.capture)
    subtitle += fmt::format(" — host {}, kernel {}, captured {}", r.capture->host,
                            r.capture->kernel_release, r.capture->captured_at);
  subtitle += " — active object: " + r.active_obj_name.value_or("(none identified)");
  if (r.is_placeholder) subtitle += " — PLACEHOLDER (no capture happened)";
  return html::page("scxsnap report " + source, subtitle, body);
}

}  // namespace scxsnap::html
