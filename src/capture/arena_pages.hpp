// SPDX-License-Identifier: Apache-2.0
// The arithmetic of an arena read, over any kernel memory (kernel_memory.hpp):
// where the arena's pages are in the kernel, which pages its free-range tree
// leaves allocated, reading them, and where libbpf put the object's
// `__arena` globals. arena_reader.cpp feeds it the live kernel; tests feed
// it memory laid out as the kernel lays it out.
//
// Page k of an arena lives at kern_vm_start + (u32)(user_vm_start + k * page)
// in the kernel (the low 32 bits of its user address index the 4 GiB kernel
// range); a page the arena never allocated is unmapped there, and a copy of
// it fails instead of allocating it.
#pragma once

#include "kernel_abi.hpp"
#include "kernel_memory.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace scxsnap::capture_detail {

/// An arena's user range and the kernel address of its offset 0.
struct ArenaRange {
  std::uint64_t user_vm_start = 0, user_vm_end = 0, kern_vm_start = 0, page = 4096;
  std::uint64_t pages() const { return (user_vm_end - user_vm_start) / page; }
};

/// Read from the arena's `struct bpf_arena` (at mem.map_address()) and its vm area.
Result<ArenaRange> arena_range(KernelMemory& mem, const ArenaLayout& l, std::uint64_t page);

/// The kernel address of the arena's byte at user address `user_addr`.
std::uint64_t arena_kernel_address(const ArenaRange& r, std::uint64_t user_addr);

/// Page runs [first, end) to look at.
using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

/// The pages the free-range tree does not list as free (walked until two
/// walks agree); nullopt when there is no tree or it would not hold still.
std::optional<Runs> tree_pages(KernelMemory& mem, const ArenaLayout& l, std::uint64_t npages);
/// tree_pages, or every page where it gives nothing.
Runs candidate_pages(KernelMemory& mem, const ArenaLayout& l, std::uint64_t npages);

struct PageScan {
  std::vector<ArenaPage> pages;
  std::uint64_t scanned = 0;  // pages looked at
  bool capped = false;        // the entry cap stopped it
  bool stopped = false;       // the deadline or a signal stopped it
};
/// Reads the pages of `runs`; a page whose copy fails is not allocated.
/// `cap` > 0 keeps at most that many pages; `stop` is asked between reads.
Result<PageScan> scan_pages(KernelMemory& mem, const ArenaRange& r, const Runs& runs,
                            std::uint32_t cap, const std::function<bool()>& stop);

/// Where libbpf placed a `.addr_space.1` section of `size` bytes in the
/// arena, from the addresses its programs' ld_imm64 instructions hold: at
/// the start (libbpf 1.6+) or at the end (1.4, 1.5), whichever holds every
/// address that falls in the arena.
struct GlobalsAt {
  std::uint64_t offset;  // bytes into the arena
};
struct GlobalsUnreferenced {};  // no address in the arena: unknown
struct GlobalsAmbiguous {};     // both placements hold every address (or neither does)
using GlobalsPlacement = std::variant<GlobalsAt, GlobalsUnreferenced, GlobalsAmbiguous>;
GlobalsPlacement place_globals(const ArenaRange& r, std::uint64_t size,
                               const std::vector<std::uint64_t>& imms);

/// Bytes [base, base + size) of the arena from the captured pages; a page
/// not captured reads as zeros (an arena page is zero when first touched).
std::vector<std::uint8_t> section_bytes(const ArenaRange& r, const std::vector<ArenaPage>& pages,
                                        std::uint64_t base, std::uint64_t size);

}  // namespace scxsnap::capture_detail
