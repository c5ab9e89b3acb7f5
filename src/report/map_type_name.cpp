// SPDX-License-Identifier: Apache-2.0
#include "report_fields.hpp"
#include "scxsnap/report.hpp"

#include <array>
#include <string>

namespace scxsnap {

std::string map_type_name(std::uint32_t t) {
  // Indexed by enum bpf_map_type (include/uapi/linux/bpf.h).
  static constexpr std::array<std::string_view, 34> kNames = {"unspec",
                                                              "hash",
                                                              "array",
                                                              "prog_array",
                                                              "perf_event_array",
                                                              "percpu_hash",
                                                              "percpu_array",
                                                              "stack_trace",
                                                              "cgroup_array",
                                                              "lru_hash",
                                                              "lru_percpu_hash",
                                                              "lpm_trie",
                                                              "array_of_maps",
                                                              "hash_of_maps",
                                                              "devmap",
                                                              "sockmap",
                                                              "cpumap",
                                                              "xskmap",
                                                              "sockhash",
                                                              "cgroup_storage",
                                                              "reuseport_sockarray",
                                                              "percpu_cgroup_storage",
                                                              "queue",
                                                              "stack",
                                                              "sk_storage",
                                                              "devmap_hash",
                                                              "struct_ops",
                                                              "ringbuf",
                                                              "inode_storage",
                                                              "task_storage",
                                                              "bloom_filter",
                                                              "user_ringbuf",
                                                              "cgrp_storage",
                                                              "arena"};
  if (t < kNames.size()) return std::string(kNames[t]);
  return "unknown(" + std::to_string(t) + ")";
}

// The counters of the PerCpuTimeStats table (report_fields.hpp).
std::span<const std::pair<std::string_view, std::uint64_t PerCpuTimeStats::*>>
per_cpu_time_counters() {
  static const auto kCounters = [] {
    std::vector<std::pair<std::string_view, std::uint64_t PerCpuTimeStats::*>> out;
    for (const auto& f : detail::kCpuTimeFields)
      if (const auto* m = std::get_if<std::uint64_t PerCpuTimeStats::*>(&f.member); m && f.counter)
        out.emplace_back(f.name, *m);
    return out;
  }();
  return kCounters;
}

}  // namespace scxsnap
