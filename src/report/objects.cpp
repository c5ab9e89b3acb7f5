// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/objects.hpp"

#include "report/nearest_names.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <map>

namespace scxsnap {
namespace {

constexpr std::size_t kNameMax = 15;  // BPF_OBJ_NAME_LEN - 1

std::size_t dot_count(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '.'));
}

}  // namespace

bool is_object_section_name(std::string_view obj, std::string_view map_name) {
  auto dot = map_name.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view prefix = map_name.substr(0, dot), suffix = map_name.substr(dot);
  if (dot_count(suffix) != 1 || suffix.size() >= kNameMax) return false;
  if (prefix == obj) return true;
  // A prefix the user gave already ("scx_rust" for scx_rust.bss).
  if (obj.size() < prefix.size()) return false;
  std::size_t older = kNameMax - std::max<std::size_t>(7, suffix.size());
  std::size_t newer = kNameMax - suffix.size();
  for (std::size_t keep : {older, newer})
    if (prefix.size() == std::min(keep, obj.size()) && obj.starts_with(prefix)) return true;
  return false;
}

std::string_view section_prefix(std::string_view map_name) {
  auto dot = map_name.find('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view suffix = map_name.substr(dot);
  for (std::string_view s : {".bss", ".data", ".rodata", ".kconfig"})
    if (suffix == s) return map_name.substr(0, dot);
  return {};
}

bool map_name_matches(std::string_view want, std::string_view have) {
  return have == want || (want.size() > kNameMax && have == want.substr(0, kNameMax));
}

std::string ReportObject::title() const {
  if (key.empty()) return "other maps (no object identified)";
  if (btf_id == 0) return fmt::format("object {}", name);
  if (name.empty()) return fmt::format("maps sharing btf {}", btf_id);
  return fmt::format("object {} (btf {})", name, btf_id);
}

std::vector<ReportObject> report_objects(const FailureDumpReport& r) {
  std::map<std::uint32_t, std::string> btf_name;  // btf_id -> longest section prefix
  for (const auto& m : r.maps)
    if (auto p = section_prefix(m.name); m.btf_id && p.size() > btf_name[m.btf_id].size())
      btf_name[m.btf_id] = std::string(p);
  std::vector<ReportObject> out;
  std::map<std::string, std::size_t> at;
  ReportObject other;
  for (std::size_t i = 0; i < r.maps.size(); ++i) {
    const auto& m = r.maps[i];
    ReportObject o;
    if (m.btf_id) {
      o.key = fmt::format("btf:{}", m.btf_id);
      o.btf_id = m.btf_id;
      o.name = btf_name[m.btf_id];
    } else if (auto p = section_prefix(m.name); !p.empty()) {
      o.key = "obj:" + std::string(p);
      o.name = std::string(p);
    } else {
      other.maps.push_back(i);
      continue;
    }
    auto [it, fresh] = at.try_emplace(o.key, out.size());
    if (fresh) out.push_back(std::move(o));
    out[it->second].maps.push_back(i);
  }
  if (!other.maps.empty()) out.push_back(std::move(other));
  return out;
}

namespace {

Error no_such_object(const std::vector<ReportObject>& objects, std::string_view obj) {
  std::vector<std::string> known;
  for (const auto& o : objects)
    if (!o.key.empty()) known.push_back(o.name.empty() ? o.key : o.name + " (" + o.key + ")");
  std::string list;
  for (const auto& k : detail::nearest_names(obj, known, 5)) list += (list.empty() ? "" : ", ") + k;
  return Error(ErrorCode::NotFound,
               fmt::format("no object '{}' in the report ({})", obj,
                           known.empty() ? std::string("it has no object's maps")
                                         : fmt::format("objects: {}{}", list,
                                                       known.size() > 5 ? ", ..." : "")));
}

Result<std::uint32_t> btf_key(std::string_view obj) {
  std::uint32_t id = 0;
  std::string_view num = obj.substr(4);
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), id);
  if (ec != std::errc() || p != num.data() + num.size() || num.empty())
    return Error(ErrorCode::InvalidArgument,
                 fmt::format("'{}' is not an object: btf:ID takes a decimal BTF id", obj));
  return id;
}

// The objects `obj` names, in report order.
Result<std::vector<const ReportObject*>> matching_objects(const FailureDumpReport& r,
                                                          const std::vector<ReportObject>& objects,
                                                          std::string_view obj) {
  std::vector<const ReportObject*> out;
  if (obj.starts_with("btf:")) {
    SCXSNAP_TRY(std::uint32_t id, btf_key(obj));
    for (const auto& o : objects)
      if (o.btf_id == id) out.push_back(&o);
    return out;
  }
  // An object matches by the maps that carry its longest name: scx_flash's
  // "scx_fla.kconfig" is a cut of "scx_flatcg" too, but scx_flash's own
  // "scx_flas.bss" is not, so --obj scx_flatcg never takes scx_flash.
  for (const auto& o : objects) {
    if (o.key.empty()) continue;
    if (std::any_of(o.maps.begin(), o.maps.end(), [&](std::size_t i) {
          return section_prefix(r.maps[i].name) == o.name &&
                 is_object_section_name(obj, r.maps[i].name);
        }))
      out.push_back(&o);
  }
  return out;
}

Error ambiguous_object(const std::vector<const ReportObject*>& found, std::string_view obj) {
  std::string list;
  for (const ReportObject* o : found)
    list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", o->name.empty() ? o->key : o->name,
                        o->key);
  return Error(ErrorCode::InvalidArgument,
               fmt::format("'{}' names {} objects whose names the kernel cut alike: {}; name one "
                           "by its key",
                           obj, found.size(), list));
}

}  // namespace

Result<ReportObject> find_object(const FailureDumpReport& r, std::string_view obj) {
  auto objects = report_objects(r);
  SCXSNAP_TRY(auto found, matching_objects(r, objects, obj));
  if (found.empty()) return no_such_object(objects, obj);
  // Reports without BTF ids group by prefix: a shorter cut ("scx_fla" of a
  // .kconfig) is part of the longer name it is a prefix of.
  std::erase_if(found, [&](const ReportObject* o) {
    return !o->btf_id && std::any_of(found.begin(), found.end(), [&](const ReportObject* x) {
      return x->name.size() > o->name.size() && x->name.starts_with(o->name);
    });
  });
  if (found.size() > 1) return ambiguous_object(found, obj);
  return *found.front();
}

Result<std::vector<std::size_t>> object_maps(const FailureDumpReport& r, std::string_view obj) {
  auto objects = report_objects(r);
  SCXSNAP_TRY(auto found, matching_objects(r, objects, obj));
  std::vector<std::size_t> out;
  // Without BTF ids, one object's sections are one group per prefix: all of them.
  for (const ReportObject* o : found) out.insert(out.end(), o->maps.begin(), o->maps.end());
  if (found.size() > 1 &&
      std::any_of(found.begin(), found.end(), [](const ReportObject* o) { return o->btf_id != 0; }))
    return ambiguous_object(found, obj);
  std::sort(out.begin(), out.end());
  if (out.empty()) return no_such_object(objects, obj);
  return out;
}

}  // namespace scxsnap
