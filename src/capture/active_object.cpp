// SPDX-License-Identifier: Apache-2.0
#include "active_object.hpp"

#include "fd.hpp"
#include "kernel_abi.hpp"
#include "map_source.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail {
namespace {

struct ProgInfo {
  std::uint32_t type = 0;
  std::uint32_t btf_id = 0;
  std::string name;
  std::uint64_t run_cnt = 0, run_time_ns = 0, recursion_misses = 0;
  std::vector<std::uint32_t> map_ids;
};

std::optional<ProgInfo> prog_info(std::uint32_t id) {
  Fd fd(bpf_prog_get_fd_by_id(id));
  if (!fd.valid()) return std::nullopt;
  bpf_prog_info info{};
  std::uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return std::nullopt;
  ProgInfo p;
  p.type = info.type;
  p.btf_id = info.btf_id;
  p.name = info.name;
  p.run_cnt = info.run_cnt;
  p.run_time_ns = info.run_time_ns;
  p.recursion_misses = info.recursion_misses;
  if (info.nr_map_ids > 0) {
    // Second call with a buffer for the map ids (the count may have grown).
    std::uint32_t n = info.nr_map_ids;
    p.map_ids.resize(n);
    bpf_prog_info again{};
    again.nr_map_ids = n;
    again.map_ids = reinterpret_cast<std::uintptr_t>(p.map_ids.data());
    len = sizeof again;
    if (bpf_obj_get_info_by_fd(fd.get(), &again, &len) == 0)
      p.map_ids.resize(std::min(n, again.nr_map_ids));
    else
      p.map_ids.clear();
  }
  return p;
}

// Read-only: learning a name never needs write access to the map.
std::string map_name_of(std::uint32_t id) {
  MapSource& src = system_map_source();
  Fd fd(src.open_map(id));
  if (!fd.valid()) return {};
  bpf_map_info info{};
  if (src.map_info(fd.get(), &info) != 0) return {};
  return std::string(info.name, strnlen(info.name, sizeof info.name));
}

bool is_section(std::string_view n) {
  return n.ends_with(".bss") || n.ends_with(".data") || n.ends_with(".rodata");
}

}  // namespace

std::vector<std::uint32_t> maps_used_by_programs(const std::vector<std::uint32_t>& btf_ids) {
  std::vector<std::uint32_t> out;
  if (btf_ids.empty()) return out;
  for (std::uint32_t id = 0; bpf_prog_get_next_id(id, &id) == 0;) {
    auto p = prog_info(id);
    if (!p || std::find(btf_ids.begin(), btf_ids.end(), p->btf_id) == btf_ids.end()) continue;
    out.insert(out.end(), p->map_ids.begin(), p->map_ids.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint32_t> struct_ops_link_map_ids() {
  std::vector<std::uint32_t> out;
  std::uint32_t id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    Fd fd(bpf_link_get_fd_by_id(id));
    if (!fd.valid()) continue;
    struct bpf_link_info info {};
    std::uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
    if (auto map_id = struct_ops_link_map_id(info, len)) out.push_back(*map_id);
  }
  return out;
}

std::optional<ActiveObject> find_active_object(const std::vector<CapturedMap>& struct_ops,
                                               bool sched_ext_enabled) {
  auto linked = struct_ops_link_map_ids();
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
    auto p = prog_info(pid);
    if (!p) continue;
    a.prog_ids.push_back(pid);
    for (std::uint32_t mid : p->map_ids) {
      if (std::find(a.map_ids.begin(), a.map_ids.end(), mid) != a.map_ids.end()) continue;
      a.map_ids.push_back(mid);
      std::string n = map_name_of(mid);
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

void read_prog_stats(const std::vector<std::uint32_t>& prog_ids, bool all, FailureDumpReport& r) {
  std::vector<std::uint32_t> ids = prog_ids;
  if (all) {
    ids.clear();
    std::uint32_t id = 0;
    while (bpf_prog_get_next_id(id, &id) == 0) ids.push_back(id);
  }
  for (std::uint32_t id : ids) {
    auto p = prog_info(id);
    if (!p) continue;
    r.prog_runtime_stats.push_back(
        ProgRuntimeStats{p->name, p->run_cnt, p->run_time_ns, p->recursion_misses});
  }
  if (r.prog_runtime_stats.empty())
    r.prog_runtime_stats_unavailable =
        all ? "no BPF programs loaded" : "no struct_ops programs loaded";
}

}  // namespace scxsnap::capture_detail
