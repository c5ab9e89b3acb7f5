// SPDX-License-Identifier: Apache-2.0
#include "active_object.hpp"

#include "fd.hpp"
#include "kernel_abi.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail {
namespace {

// Read-only: learning a name never needs write access to the map.
std::string map_name_of(CaptureCache& cache, std::uint32_t id) {
  int err = 0;
  const char* step = nullptr;
  const MapInfo* info = cache.map_info(id, &err, &step);
  return info ? info->name : std::string();
}

std::optional<ProgRecord> prog_info(KernelSource& src, std::uint32_t id) {
  ProgRecord p;
  if (src.prog_info(id, false, &p) != 0) return std::nullopt;
  return p;
}

bool is_section(std::string_view n) {
  return n.ends_with(".bss") || n.ends_with(".data") || n.ends_with(".rodata");
}

}  // namespace

std::vector<std::uint32_t> maps_used_by_programs(CaptureCache& cache,
                                                 const std::vector<std::uint32_t>& btf_ids) {
  std::vector<std::uint32_t> out;
  if (btf_ids.empty()) return out;
  for (std::uint32_t id : cache.source().prog_ids()) {
    const ProgFacts* p = cache.prog_facts(id);
    if (!p || std::find(btf_ids.begin(), btf_ids.end(), p->btf_id) == btf_ids.end()) continue;
    out.insert(out.end(), p->map_ids.begin(), p->map_ids.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<ActiveObject> find_active_object(CaptureCache& cache,
                                               const std::vector<CapturedMap>& struct_ops,
                                               bool sched_ext_enabled) {
  auto linked = cache.source().struct_ops_link_map_ids();
  auto attached = [&](const CapturedMap& m) {
    return m.struct_ops_in_use ||
           std::find(linked.begin(), linked.end(), m.map.map_id) != linked.end();
  };
  const CapturedMap* pick = nullptr;
  for (const auto& m : struct_ops) {
    if (!attached(m) || m.struct_ops_prog_ids.empty()) continue;
    bool scx = m.struct_ops_type == "bpf_struct_ops_sched_ext_ops";
    if (sched_ext_enabled && !scx) continue;  // on a sched_ext host only the scheduler counts
    if (!pick || scx) pick = &m;
    if (scx) break;
  }
  if (!pick) return std::nullopt;
  ActiveObject a;
  a.struct_ops_map = pick->map.name;
  std::vector<std::string> prefixes;
  for (std::uint32_t pid : pick->struct_ops_prog_ids) {
    const ProgFacts* p = cache.prog_facts(pid);
    if (!p) continue;
    a.prog_ids.push_back(pid);
    for (std::uint32_t mid : p->map_ids) {
      if (std::find(a.map_ids.begin(), a.map_ids.end(), mid) != a.map_ids.end()) continue;
      a.map_ids.push_back(mid);
      std::string n = map_name_of(cache, mid);
      if (is_section(n)) prefixes.push_back(n.substr(0, n.find('.')));
    }
  }
  // The kernel cuts names at 15 characters: the longest prefix names the object.
  for (const auto& p : prefixes)
    if (p.size() > a.obj_name.size()) a.obj_name = p;
  std::sort(a.map_ids.begin(), a.map_ids.end());
  if (a.obj_name.empty()) return std::nullopt;
  return a;
}

void read_prog_stats(KernelSource& src, const std::vector<std::uint32_t>& prog_ids, bool all,
                     FailureDumpReport& r) {
  std::vector<std::uint32_t> ids = prog_ids;
  if (all) {
    ids = src.prog_ids();
  }
  for (std::uint32_t id : ids) {
    auto p = prog_info(src, id);
    if (!p) continue;
    r.prog_runtime_stats.push_back(
        ProgRuntimeStats{p->name, p->run_cnt, p->run_time_ns, p->recursion_misses});
  }
  if (r.prog_runtime_stats.empty())
    r.prog_runtime_stats_unavailable =
        all ? "no BPF programs loaded" : "no struct_ops programs loaded";
}

}  // namespace scxsnap::capture_detail
