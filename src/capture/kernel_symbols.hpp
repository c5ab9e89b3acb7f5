// SPDX-License-Identifier: Apache-2.0
// Addresses of kernel symbols by name without reading /proc/kallsyms, which
// the kernel formats whole for every reader (121,000 lines, ~35 ms of system
// time here): a BPF `syscall` program asks bpf_kallsyms_lookup_name() for
// each name, a sorted-table lookup inside the kernel. Same answers as the
// file (the same table: data symbols only with CONFIG_KALLSYMS_ALL).
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace scxsnap::capture_detail {

inline constexpr std::size_t kMaxSymbolName = 63;  // bytes, without the NUL

/// The names the kernel knows, with their addresses; an error when the
/// program cannot be loaded or run (then /proc/kallsyms answers).
Result<std::map<std::string, std::uint64_t>> lookup_kernel_symbols(
    std::span<const std::string_view> names);

/// The same from a kallsyms file ("ADDRESS TYPE NAME [MODULE]" lines); a
/// zero address (kptr_restrict) counts as absent.
std::map<std::string, std::uint64_t> read_kallsyms_file(const char* path,
                                                        std::span<const std::string_view> names);

}  // namespace scxsnap::capture_detail
