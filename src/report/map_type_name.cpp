// SPDX-License-Identifier: Apache-2.0
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

std::span<const std::pair<std::string_view, std::uint64_t PerCpuTimeStats::*>>
per_cpu_time_counters() {
  static const std::pair<std::string_view, std::uint64_t PerCpuTimeStats::*> kFields[] = {
      {"cpustat_user_ns", &PerCpuTimeStats::cpustat_user_ns},
      {"cpustat_nice_ns", &PerCpuTimeStats::cpustat_nice_ns},
      {"cpustat_system_ns", &PerCpuTimeStats::cpustat_system_ns},
      {"cpustat_softirq_ns", &PerCpuTimeStats::cpustat_softirq_ns},
      {"cpustat_irq_ns", &PerCpuTimeStats::cpustat_irq_ns},
      {"cpustat_idle_ns", &PerCpuTimeStats::cpustat_idle_ns},
      {"cpustat_iowait_ns", &PerCpuTimeStats::cpustat_iowait_ns},
      {"cpustat_steal_ns", &PerCpuTimeStats::cpustat_steal_ns},
      {"irqs_sum", &PerCpuTimeStats::irqs_sum}};
  return kFields;
}

}  // namespace scxsnap
