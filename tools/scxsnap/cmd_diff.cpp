// SPDX-License-Identifier: Apache-2.0
// scxsnap diff A B [--map M] [--json], diff SERIES --from TAG --to TAG, or diff DUAL.json:
// what changed between two reports. Exit 0 when nothing changed, 1 when
// something did (as diff(1) does), 2 on bad input.
#include "commands.hpp"
#include "file_kind.hpp"
#include "report/nearest_names.hpp"
#include "scxsnap/diff.hpp"
#include "scxsnap/html.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/sample_series.hpp"
#include "series_input.hpp"
#include "snapshot_output.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace scxsnap::cli {

namespace {

// diff --map: only the maps named, in both reports; a name neither has is an
// error naming the maps there are.
Result<void> keep_named_maps(const std::vector<std::string>& names, FailureDumpReport& a,
                             FailureDumpReport& b) {
  for (const auto& n : names) {
    auto has = [&](const FailureDumpReport& r) {
      return std::any_of(r.maps.begin(), r.maps.end(),
                         [&](const FailureDumpMap& m) { return map_name_matches(n, m.name); });
    };
    if (has(a) || has(b)) continue;
    std::vector<std::string> all;
    for (const auto* r : {&a, &b})
      for (const auto& m : r->maps) all.push_back(m.name);
    std::string list;
    for (const auto& t : detail::nearest_names(n, all, 5)) list += (list.empty() ? "" : ", ") + t;
    return Error(ErrorCode::NotFound,
                 fmt::format("--map {}: no map of that name in either input (nearest: {})", n,
                             list.empty() ? "none" : list));
  }
  for (auto* r : {&a, &b})
    std::erase_if(r->maps, [&](const FailureDumpMap& m) {
      return std::none_of(names.begin(), names.end(),
                          [&](const std::string& n) { return map_name_matches(n, m.name); });
    });
  return {};
}

}  // namespace

void add_diff(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("diff", "What changed between two reports (or two samples of a series)");
  struct Opts {
    std::vector<std::string> files, maps;
    std::string from, to;
    bool json = false;
    std::string html;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILES", o->files,
                  "two reports; one series (.jsonl) with --from/--to; or one dual dump (its early "
                  "snapshot against its late one)")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--from", o->from, "series tag of the earlier sample");
  cmd->add_option("--to", o->to, "series tag of the later sample");
  cmd->add_option("--map", o->maps,
                  "only the maps with this name (repeatable; a native snapshot then renders only "
                  "these); host counters are left out");
  cmd->add_flag("--json", o->json, "print the changes as JSON");
  cmd->add_option("--html", o->html,
                  "also write the changes as a self-contained HTML page (changes highlighted)");
  cmd->callback([o, &exit_code] {
    FailureDumpReport a, b;
    NativeSelection sel;
    sel.maps = o->maps;
    if (o->files.size() == 2) {
      // Reports, or dual dumps (their late halves).
      auto ra = load_walkable(o->files[0], DumpHalf::Late, exit_code, sel);
      if (!ra) return;
      auto rb = load_walkable(o->files[1], DumpHalf::Late, exit_code, sel);
      if (!rb) return;
      a = std::move(*ra);
      b = std::move(*rb);
    } else if (o->from.empty() && o->to.empty() &&
               sniff_file_kind(o->files[0]) != FileKind::Series) {
      // One dual dump: what changed from its early snapshot to its late one.
      auto halves = load_walkable(o->files[0], {DumpHalf::Early, DumpHalf::Late}, exit_code, sel);
      if (!halves) return;
      a = std::move((*halves)[0]);
      b = std::move((*halves)[1]);
    } else {
      if (o->from.empty() || o->to.empty()) {
        exit_code = report_error(
            Error(ErrorCode::InvalidArgument, "diff of a series needs --from TAG and --to TAG"));
        return;
      }
      auto s = load_series(o->files[0], sel);
      if (!s) {
        exit_code = report_error(s.error());
        return;
      }
      const FailureDumpReport* pa = nullptr;
      const FailureDumpReport* pb = nullptr;
      for (const auto& r : s->rows()) {
        if (r.tag == o->from) pa = &r.report;
        if (r.tag == o->to) pb = &r.report;
      }
      if (!pa || !pb) {
        // The tag asked for is absent (exit 1); the message lists the tags there are.
        std::vector<std::string> tags;
        for (const auto& r : s->rows()) tags.push_back(r.tag);
        std::string want = pa ? o->to : o->from, list;
        for (const auto& t : detail::nearest_names(want, tags, 5))
          list += (list.empty() ? "" : ", ") + t;
        exit_code = report_error(Error(
            ErrorCode::NotFound, fmt::format("series {} has no sample tagged '{}' ({} samples; "
                                             "nearest tags: {})",
                                             o->files[0], want, tags.size(), list)));
        return;
      }
      a = *pa;
      b = *pb;
    }
    if (!o->maps.empty()) {
      if (auto kept = keep_named_maps(o->maps, a, b); !kept) {
        exit_code = report_error(kept.error());
        return;
      }
    }
    auto changes = diff_reports(a, b);
    if (!o->maps.empty())  // --map: the maps only, not the host's counters
      std::erase_if(changes, [](const Change& c) { return c.map.empty(); });
    if (!o->html.empty()) {
      std::string from = o->files[0], to = o->files.size() == 2 ? o->files[1] : o->files[0];
      if (!o->from.empty()) {
        from += " " + o->from;
        to += " " + o->to;
      } else if (o->files.size() == 1) {
        from += " (early)";
        to += " (late)";
      }
      if (auto w = write_file_atomic(o->html, html::diff_page(changes, from, to), FileMode::Shared);
          !w) {
        exit_code = report_error(w.error());
        return;
      }
    }
    if (o->json)
      fmt::print("{}\n", changes_to_json(changes));
    else
      fmt::print("{}{} change(s)\n", format_changes(changes), changes.size());
    exit_code = changes.empty() ? kOk : kAbsent;  // diff(1): 1 when the inputs differ
  });
}

}  // namespace scxsnap::cli
