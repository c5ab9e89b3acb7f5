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

}  // namespace scxsnap::capture_detail
