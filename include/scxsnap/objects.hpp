// SPDX-License-Identifier: Apache-2.0
// BPF objects in a report. The kernel keeps no object names: libbpf names an
// object's global-section maps "<cut object name>.<section>" (the cut is 8
// characters for .bss/.data/.rodata, fewer for longer sections) and
// ".data.NAME"/".rodata.NAME" sections with no object name at all. What ties
// an object's maps together is the BTF object they share, which captures
// record as each map's btf_id.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap {

/// Whether `map_name` is the name libbpf gives one of the global-section maps
/// (".bss", ".data", ".rodata", ".kconfig", ...) of an object called `obj`:
/// `obj` cut to the length libbpf keeps (older libbpf: 15 - max(7, suffix);
/// newer: 15 - suffix), or a prefix `obj` already is.
SCXSNAP_API bool is_object_section_name(std::string_view obj, std::string_view map_name);

/// The object prefix of a global-section map name ("scx_rust" for
/// "scx_rust.bss"); empty for other names and for ".data.NAME" sections.
SCXSNAP_API std::string_view section_prefix(std::string_view map_name);

/// Whether the kernel's name `have` is map `want`: the same, or the kernel's
/// 15-character cut of a longer name from the BPF source.
SCXSNAP_API bool map_name_matches(std::string_view want, std::string_view have);

/// One object of a report: the maps sharing a BTF id (or, in reports without
/// btf_id, a global-section prefix), in report order.
struct SCXSNAP_API ReportObject {
  std::string key;   ///< "btf:ID", "obj:PREFIX", or "" for maps of no known object
  std::string name;  ///< the longest global-section prefix seen, or ""
  std::uint32_t btf_id = 0;
  std::vector<std::size_t> maps;  ///< indices into report.maps
  std::string title() const;      ///< "object scx_rust (btf 12)", ...
};

/// Every object of the report, in order of first map; maps of no known
/// object last (key "").
SCXSNAP_API std::vector<ReportObject> report_objects(const FailureDumpReport& report);

/// The maps of the object `obj` names: a full object name or its cut
/// prefix, or "btf:ID". An object matches by the maps that carry its longest
/// name (scx_flash's "scx_fla.kconfig" does not make it match "scx_flatcg").
/// NotFound, naming the known objects, when none matches; InvalidArgument
/// listing the candidates with btf:ID when several objects with BTF ids do.
/// In reports without BTF ids every matching prefix group is taken.
SCXSNAP_API Result<std::vector<std::size_t>> object_maps(const FailureDumpReport& report,
                                                         std::string_view obj);

/// The one object `obj` names: "btf:ID", a full object name or its cut
/// prefix. NotFound naming the known objects when none matches;
/// InvalidArgument listing the candidates with their btf:ID when several do
/// (names the kernel cut alike, e.g. scx_rusty and scx_rustland).
SCXSNAP_API Result<ReportObject> find_object(const FailureDumpReport& report, std::string_view obj);

}  // namespace scxsnap
