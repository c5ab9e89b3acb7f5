// SPDX-License-Identifier: Apache-2.0
// Task details read from kernel memory for the tasks the sched_ext walker
// found (scx_walker.hpp), with ktstr's TaskEnrichment fields: identity,
// family, priorities, class, context switches. Offsets from BTF; pointers
// followed only where the read succeeds; a task that cannot be read gives
// no row.
#pragma once

#include "kernel_walk.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace scxsnap::capture_detail {

struct TaskFound {
  std::uint64_t kva = 0;
  bool runnable = false;  // on a runqueue's runnable_list (not only queued on a DSQ)
};

std::vector<TaskEnrichment> read_tasks_from_memory(KernelWalk& w, std::span<const TaskFound> tasks);

}  // namespace scxsnap::capture_detail
