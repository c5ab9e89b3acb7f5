// SPDX-License-Identifier: Apache-2.0
// Where the kernel keeps each CPU's copy of a per-CPU variable, found without
// /proc/kallsyms (which lists no data symbols on kernels built without
// CONFIG_KALLSYMS_ALL). A BPF `syscall` program, run once per 64 CPUs:
//  - bpf_map_lookup_percpu_elem() on a one-slot per-CPU array of ours gives
//    each CPU's copy of the slot; the slot's own __percpu pointer (the array's
//    pptrs[0], read from the map with bpf_probe_read_kernel) subtracted from
//    it is that CPU's __per_cpu_offset;
//  - the current task and the CPU it runs on, and two pointers chased from
//    the task inside the same run (task->se.cfs_rq, then cfs_rq->rq: this
//    CPU's runqueue, while the run keeps the task on the CPU).
// Nothing is written but the program's own context and stack.
#pragma once

#include "kernel_source.hpp"

namespace scxsnap::capture_detail {

/// The anchors of the live kernel (KernelSource::kernel_anchors).
Result<KernelAnchors> read_kernel_anchors(const AnchorRequest& req, int possible_cpus);

}  // namespace scxsnap::capture_detail
