// SPDX-License-Identifier: Apache-2.0
// Host scheduler context from /proc and /sys (through the KernelSource): per-CPU time, NUMA
// counters, cgroup PSI, task details, sched_ext state and event counters. Each source that cannot
// be read leaves its `*_unavailable` reason in the report.
#pragma once

#include "kernel_source.hpp"
#include "scxsnap/capture.hpp"
#include "scxsnap/report.hpp"

#include <string>
#include <vector>

namespace scxsnap::capture_detail {

/// Root of /proc and /sys (tests point these at fixtures).
struct HostPaths {
  std::string proc = "/proc";
  std::string sys = "/sys";
};

void read_per_cpu_time(KernelSource& src, const HostPaths& hp, FailureDumpReport& r,
                       std::vector<std::string>& notes);
void read_numa(KernelSource& src, const HostPaths& hp, FailureDumpReport& r);
/// The directory of a --cgroup argument (a path under /sys/fs/cgroup or one
/// relative to it).
std::string cgroup_dir(const std::string& cgroup);
void read_cgroup_psi(KernelSource& src, const std::string& cgroup, FailureDumpReport& r,
                     std::vector<std::string>& notes);
void read_tasks(KernelSource& src, const HostPaths& hp, const std::vector<std::int32_t>& pids,
                FailureDumpReport& r);
/// Pids of every task in the ext scheduling class (policy SCHED_EXT).
std::vector<std::int32_t> ext_class_pids(KernelSource& src, const HostPaths& hp);
/// sched_ext state: returns true when a scheduler is enabled; `present`:
/// the kernel has sched_ext (its sysfs directory).
bool read_sched_ext(KernelSource& src, const HostPaths& hp, FailureDumpReport& r,
                    std::string& ops_name, bool& present);
/// The number of possible NUMA nodes (1 where sysfs does not say).
std::uint32_t possible_nodes(KernelSource& src, const HostPaths& hp);

}  // namespace scxsnap::capture_detail
