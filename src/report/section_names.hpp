// SPDX-License-Identifier: Apache-2.0
// Whether a map name is one libbpf gives a global section: "<obj>.<section>"
// (section_prefix) or ".data.NAME"/".rodata.NAME". A superset of where a
// global is looked for; the one test that readers and projections share.
#pragma once

#include "scxsnap/objects.hpp"

#include <string_view>

namespace scxsnap::detail {

inline bool is_section_map_name(std::string_view name) {
  return !section_prefix(name).empty() || name.starts_with(".data.") ||
         name.starts_with(".rodata.");
}

}  // namespace scxsnap::detail
