// SPDX-License-Identifier: Apache-2.0
// `scxsnap diff A B --html PAGE`: what changed, grouped by map, old and new
// values side by side with the change highlighted.
#include "page_parts.hpp"
#include "scxsnap/html.hpp"

#include <fmt/format.h>
#include <map>

namespace scxsnap::html {
namespace {

std::string_view kind_word(Change::Kind k) {
  switch (k) {
    case Change::Kind::MapAdded:
      return "map added";
    case Change::Kind::MapRemoved:
      return "map removed";
    case Change::Kind::ValueChanged:
      return "changed";
    case Change::Kind::EntryAdded:
      return "entry added";
    case Change::Kind::EntryRemoved:
      return "entry removed";
    case Change::Kind::HostDelta:
      return "host";
  }
  return "";
}

}  // namespace

std::string diff_page(const std::vector<Change>& changes, const std::string& from,
                      const std::string& to) {
  // Grouped by what they are in: the map (or host context) named first.
  std::vector<std::string> order;
  std::map<std::string, std::string> rows;
  std::map<std::string, std::size_t> counts;
  for (const auto& c : changes) {
    std::string group = c.map.empty() ? std::string("host context") : c.map;
    if (!rows.count(group)) order.push_back(group);
    ++counts[group];
    rows[group] += fmt::format(
        "<tr data-name=\"{0}\" data-kind=\"{1}\"><td><span class=\"badge {2}\">{1}</span></td>"
        "<td class=\"v\">{0}</td><td class=\"v old\">{3}</td><td class=\"v new\">{4}</td>"
        "<td class=\"v delta\">{5}</td></tr>",
        html::esc(c.where), kind_word(c.kind),
        c.kind == Change::Kind::MapRemoved || c.kind == Change::Kind::EntryRemoved ? "fail"
                                                                                   : "pass",
        html::esc(c.old_value), html::esc(c.new_value), html::esc(c.delta.value_or("")));
  }
  std::string body =
      fmt::format("<h2>{} change{}</h2>", changes.size(), changes.size() == 1 ? "" : "s");
  if (changes.empty()) body += "<p>The two reports hold the same values.</p>";
  for (const auto& g : order)
    body += fmt::format(
        "<details class=\"group\" open><summary>{} ({} change{})</summary><table class=\"diff\">"
        "<tr><th></th><th>where</th><th>before</th><th>after</th><th>delta</th></tr>{}</table>"
        "</details>",
        html::esc(g), counts[g], counts[g] == 1 ? "" : "s", rows[g]);
  return html::page("scxsnap diff", fmt::format("{} → {}", from, to), body);
}

}  // namespace scxsnap::html
