// SPDX-License-Identifier: Apache-2.0
// Finding the live scheduler: the attached struct_ops map (sched_ext_ops when
// sched_ext is active, any struct_ops otherwise) → its program ids → their
// map_ids → the object's global sections. Also the programs' run stats.
#pragma once

#include "capture_cache.hpp"
#include "map_reader.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap::capture_detail {

struct ActiveObject {
  std::string obj_name;
  std::vector<std::uint32_t> map_ids;
  std::vector<std::uint32_t> prog_ids;
  std::string struct_ops_map;  // name of the attached struct_ops map
};

/// Ids of the maps used by every loaded program whose BTF is one of `btf_ids`
/// (the programs of those objects), sorted, without repeats.
std::vector<std::uint32_t> maps_used_by_programs(CaptureCache& cache,
                                                 const std::vector<std::uint32_t>& btf_ids);

/// `struct_ops` lists every captured or scanned struct_ops map.
std::optional<ActiveObject> find_active_object(CaptureCache& cache,
                                               const std::vector<CapturedMap>& struct_ops,
                                               bool sched_ext_enabled);

/// Run stats of the given programs (or of every program when `all`).
void read_prog_stats(KernelSource& src, const std::vector<std::uint32_t>& prog_ids, bool all,
                     FailureDumpReport& r);

}  // namespace scxsnap::capture_detail
