// SPDX-License-Identifier: Apache-2.0
// A single report with only some maps' contents (report_reader.hpp's
// load_report_selected): the byte scanner finds every map of the `maps`
// array and its members; the maps asked for are kept whole, every other map
// keeps its name, ids, type, sizes and error (the skeleton a native snapshot
// has) and loses its contents; the document so rebuilt is parsed as usual.
// `var` and `map` on a large JSON report then build the model of what they
// name, not of the whole file.
#include "report/files/mapped_file.hpp"
#include "report/json/json_scanner.hpp"
#include "report_reader.hpp"
#include "scxsnap/objects.hpp"
#include "section_names.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace scxsnap::detail {
namespace {

constexpr std::uint32_t kArenaType = 33;  // BPF_MAP_TYPE_ARENA

// A map's members that hold its contents (report_fields.hpp's kMapFields).
constexpr std::array<std::string_view, 8> kContents = {
    "value", "entries",     "array_entries", "percpu_entries", "percpu_hash_entries",
    "arena", "stack_trace", "fd_array"};

// A raw JSON string's text, when it holds no escape (map names do not).
std::optional<std::string_view> plain_string(std::string_view t, const Member& m) {
  if (m.value_end < m.value_begin + 2 || t[m.value_begin] != '"') return std::nullopt;
  std::string_view s = t.substr(m.value_begin + 1, m.value_end - m.value_begin - 2);
  if (s.find('\\') != std::string_view::npos) return std::nullopt;
  return s;
}

}  // namespace

std::optional<FailureDumpReport> load_report_selected(const std::filesystem::path& path,
                                                      const ReportSelection& sel) {
  auto file = MappedFile::open(path, 1);
  if (!file) return std::nullopt;
  const std::string_view t = file->text();
  const std::size_t root = skip_ws(t, 0);
  if (root >= t.size() || t[root] != '{') return std::nullopt;
  ScanMemo memo(t);
  const std::array<std::string_view, 1> split = {"maps"};
  auto members = object_members(t, root, split);
  if (!members) return std::nullopt;
  std::string out = "{";
  bool first = true, single = false;
  for (const Member& m : *members) {
    if (m.key == "schema") {
      auto s = plain_string(t, m);
      single = s && *s == "single";
    }
    if (!first) out += ',';
    first = false;
    out += '"';
    out += m.key;
    out += "\":";
    if (m.key != "maps" || !m.elements) {
      out.append(t.substr(m.value_begin, m.value_end - m.value_begin));
      continue;
    }
    out += '[';
    bool first_map = true;
    for (const auto& [b, e] : *m.elements) {
      if (!first_map) out += ',';
      first_map = false;
      const std::string_view whole = t.substr(b, e - b);
      auto fields = object_members(t, b, {});
      if (!fields) return std::nullopt;
      std::optional<std::string_view> name;
      std::uint32_t id = 0, type = 0;
      for (const Member& f : *fields) {
        if (f.key == "name") name = plain_string(t, f);
        if (f.key == "map_id")
          std::from_chars(t.data() + f.value_begin, t.data() + f.value_end, id);
        if (f.key == "map_type")
          std::from_chars(t.data() + f.value_begin, t.data() + f.value_end, type);
      }
      if (!name) return std::nullopt;
      // Global sections: every name libbpf gives one, and arenas (whose
      // value holds the `__arena` globals): a superset of where `var` looks.
      const bool global = is_section_map_name(*name) || type == kArenaType;
      const bool keep =
          (sel.global_sections && global) ||
          std::find(sel.map_ids.begin(), sel.map_ids.end(), id) != sel.map_ids.end() ||
          std::any_of(sel.maps.begin(), sel.maps.end(),
                      [&](const std::string& want) { return map_name_matches(want, *name); });
      if (keep) {
        out.append(whole);
        continue;
      }
      out += '{';
      bool first_field = true;
      for (const Member& f : *fields) {
        if (std::find(kContents.begin(), kContents.end(), f.key) != kContents.end()) continue;
        if (!first_field) out += ',';
        first_field = false;
        out += '"';
        out += f.key;
        out += "\":";
        out.append(t.substr(f.value_begin, f.value_end - f.value_begin));
      }
      out += '}';
    }
    out += ']';
  }
  out += '}';
  if (!single) return std::nullopt;  // dual and degraded dumps are read whole
  simdjson::padded_string padded(out);
  auto r = parse_report_padded(padded);
  if (!r) return std::nullopt;  // the whole read gives the precise error
  return std::move(*r);
}

}  // namespace scxsnap::detail
