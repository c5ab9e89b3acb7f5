// SPDX-License-Identifier: Apache-2.0
// What capture needs to know about the kernel, in one place and from the
// kernel's own descriptions where it has them: the uapi headers for the
// user-space ABI, the running kernel's BTF for its internal types. The few
// values neither provides on every supported system are spelled out here,
// each with where it comes from.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <optional>

struct btf;

namespace scxsnap::capture_detail {

// uapi values newer than the oldest headers scxsnap builds against (Debian
// 12's linux-libc-dev 6.1): the numbers are ABI, fixed once released.
inline constexpr std::uint32_t kMapTypeCgrpStorage = 32;  // BPF_MAP_TYPE_CGRP_STORAGE, 6.2
inline constexpr std::int64_t kSchedExt = 7;              // SCHED_EXT policy, 6.12
// The kernel-internal ENOTSUPP (include/linux/errno.h) that bpf(2) can leak
// to user space where there is no batch operation for a map type.
inline constexpr int kEnotsupp = 524;
inline constexpr std::uint32_t kMapTypeArena = 33;  // BPF_MAP_TYPE_ARENA, 6.9

// Arena internals (kernel/bpf/arena.c, include/linux/vmalloc.h; not in BTF,
// which has no macros): an arena's kernel range is one vm area of 4 GiB plus
// a guard split evenly before and after, and a vm area's size counts one
// trailing guard page unless VM_NO_GUARD.
inline constexpr std::uint64_t kArenaSpan = 1ull << 32;  // SZ_4G
inline constexpr std::uint64_t kVmNoGuard = 0x40;        // VM_NO_GUARD

/// The map id of a struct_ops link: the first word of bpf_link_info's
/// per-type union (6.4+ uapi; older headers lack the member, so its place is
/// taken from the union's start as the headers declare it).
std::optional<std::uint32_t> struct_ops_link_map_id(const struct bpf_link_info& info,
                                                    std::size_t info_len);

/// Where a struct_ops map value (struct bpf_struct_ops_<name>) keeps its
/// `enum bpf_struct_ops_state`, and the value that means "in use", read from
/// vmlinux BTF (the state moved into a `common` member in 6.9).
struct StructOpsState {
  std::uint32_t offset = 0;  // bytes into the value
  std::uint32_t in_use = 0;  // BPF_STRUCT_OPS_STATE_INUSE
};
std::optional<StructOpsState> struct_ops_state(const struct btf* vmlinux,
                                               std::uint32_t value_type_id);

/// Where `struct bpf_arena` and `struct vm_struct` keep what an arena read
/// needs, from vmlinux BTF (byte offsets).
struct ArenaLayout {
  std::uint32_t user_vm_start = 0, user_vm_end = 0, kern_vm = 0;  // in struct bpf_arena
  std::uint32_t vm_addr = 0, vm_size = 0, vm_flags = 0;           // in struct vm_struct
  // The arena's free page ranges: an rb-tree of struct range_node at
  // bpf_arena.rt.it_root (6.12+); absent on kernels without it.
  struct FreeTree {
    std::uint32_t root = 0;                   // the root rb_node pointer, in struct bpf_arena
    std::uint32_t rb_left = 0, rb_right = 0;  // in struct rb_node
    std::uint32_t node = 0;                   // rn_rbnode, in struct range_node
    std::uint32_t start = 0, last = 0;        // rn_start, rn_last (u32 page offsets)
    std::uint32_t size = 0;                   // sizeof(struct range_node)
  };
  std::optional<FreeTree> free_tree;
};
std::optional<ArenaLayout> arena_layout(const struct btf* vmlinux);

/// The kernel address of arena offset 0 (bpf_arena_get_kern_vm_start) from
/// its vm area's fields; nullopt when they do not have the shape above.
std::optional<std::uint64_t> arena_kern_vm_start(std::uint64_t vm_addr, std::uint64_t vm_size,
                                                 std::uint64_t vm_flags, std::uint64_t page_size);

}  // namespace scxsnap::capture_detail
