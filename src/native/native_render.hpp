// SPDX-License-Identifier: Apache-2.0
// A native snapshot's maps rendered from their raw records, through the same
// functions live capture renders with (btf/map_contents), so the JSON is
// byte for byte what a direct capture writes.
#pragma once

#include "btf/arena_pointers.hpp"
#include "btf/map_contents.hpp"
#include "native_file.hpp"
#include "report/json/json_writer.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scxsnap::native {

struct RenderSettings {
  std::uint64_t max_value_bytes = 0;
  std::uint32_t max_array_elements = 4096;
  arena_pointers::Follower follow;                            // pointers into the snapshot's arenas
  std::shared_ptr<const std::vector<FailureDumpMap>> arenas;  // what `follow` reads
};
/// The capture's render settings for the selected sample: its arenas' pages
/// are read (pointers are followed into them); `skeleton` must outlive them.
Result<RenderSettings> settings_of(const NativeFile& f, const FailureDumpReport& skeleton);

/// Writes map `i` (its skeleton `skel`) as one JSON object into `w`, whose
/// buffer is `buf`; `flush` is called between entries when the buffer is large.
Result<void> write_map_json(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                            const RenderSettings& s, detail::JsonWriter& w, std::string& buf,
                            const std::function<Result<void>()>& flush, map_contents::CutLog& cut);

/// Fills map `i`'s contents into `m` (a copy of its skeleton).
Result<void> render_map(const NativeFile& f, std::size_t i, FailureDumpMap& m,
                        const RenderSettings& s, map_contents::CutLog& cut);

/// For a global section (a value typed by a DATASEC): renders only the named
/// variables, reading only the frames that hold them; the section's other
/// variables are listed with an `unsupported` placeholder. False when the
/// map's value is not a DATASEC (the caller renders it whole).
Result<bool> render_vars(const NativeFile& f, std::size_t i, FailureDumpMap& m,
                         const std::vector<std::string>& names, const RenderSettings& s,
                         map_contents::CutLog& cut);

}  // namespace scxsnap::native
