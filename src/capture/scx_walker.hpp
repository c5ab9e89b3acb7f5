// SPDX-License-Identifier: Apache-2.0
// The kernel's half of a failure dump on a live host: sched_ext's per-CPU
// runqueue state (rq->scx), its dispatch queues (local, bypass, per-node
// global, the scheduler's own), the scheduler instance (*scx_root) and the
// tasks found on them, read through a KernelWalk (kernel_walk.hpp) with
// ktstr's field names and meanings. Offsets come from vmlinux BTF in named
// groups; a missing group is named in scx_walker_unavailable, as ktstr does.
// Lists are walked to ktstr's cap of 4,096 nodes and stop at a node seen
// before (a loop), marking the list truncated.
#pragma once

#include "kernel_walk.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>

namespace scxsnap::capture_detail {

inline constexpr std::uint32_t kMaxListNodes = 4096;      // per rq runnable list or DSQ
inline constexpr std::uint32_t kMaxEnrichedTasks = 4096;  // task_enrichments from the walk
inline constexpr std::uint32_t kMaxHashBuckets = 65536;   // user DSQ hash table
inline constexpr std::uint32_t kMaxHashNodes = 8192;      // user DSQs in all
inline constexpr std::uint32_t kMaxHashChain = 1024;      // user DSQs on one bucket

struct ScxWalkOptions {
  std::uint32_t nr_nodes = 1;  ///< NUMA nodes (per-node global DSQs)
};

/// Fills `r`'s rq_scx_states, dsq_states, scx_sched_state and
/// scx_walker_unavailable, and puts the tasks found first in
/// task_enrichments (at most kMaxEnrichedTasks, read from kernel memory).
void walk_scx(KernelWalk& w, const ScxWalkOptions& o, FailureDumpReport& r);

}  // namespace scxsnap::capture_detail
