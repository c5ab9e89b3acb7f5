// SPDX-License-Identifier: Apache-2.0
// ARENA maps: the allocated pages and the object's `__arena` globals, read
// through the kernel reader (kernel_reader.hpp) so that a page the scheduler
// never allocated stays unallocated. A lookup on an arena fails, and mapping
// it from another process would allocate every page a read touches.
#pragma once

#include "map_reader.hpp"

namespace scxsnap::capture_detail {

/// Fills `m.arena` (pages, kern_vm_start, user_vm_start) and, when a program
/// of the arena's object locates its `.addr_space.1` section, `m.value` with
/// those globals rendered through the object's BTF (and `m.btf_id`).
void read_arena(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m);

/// How pages are found: the pages the arena's free-range tree does not list
/// (what read_arena does when the kernel has the tree, 6.12+), or a copy
/// attempt at every page of the arena's span (what it does otherwise).
enum class ArenaScan { FreeTree, EveryPage };
/// The allocated pages of arena `fd`, found one way; both must agree.
Result<std::vector<ArenaPage>> arena_pages(int fd, ArenaScan how);

}  // namespace scxsnap::capture_detail
