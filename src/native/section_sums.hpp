// SPDX-License-Identifier: Apache-2.0
// Checksums of a native snapshot's sections that have none of their own (the
// data section's zstd frames carry theirs): `.scxsnap.sums` holds the XXH3
// 64-bit hash of `.BTF` and of `.scxsnap.index`, so a flipped bit in either is
// an error naming the section, never a quietly different map id or type.
// Written from format version 2 on; version 1 files have none.
#pragma once

#include "elf_container.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace scxsnap::native {

inline constexpr const char* kSumsSection = ".scxsnap.sums";
/// The section: this magic, then the two hashes, u64 each in the writer's byte order.
inline constexpr std::string_view kSumsMagic{"SXSUMS\x00\x01", 8};
inline constexpr std::size_t kSumsSize = 24;

/// The section's bytes for these `.BTF` and `.scxsnap.index` bytes.
std::string section_sums(std::span<const std::uint8_t> btf, std::string_view index);
/// The same, with the index's XXH3-64 computed as it was written.
std::string section_sums(std::span<const std::uint8_t> btf, std::uint64_t index_hash);

/// Whether `.BTF` and `.scxsnap.index` still hash as `.scxsnap.sums` says.
/// Errors (BadInput) name the file, the section and its offset.
Result<void> verify_section_sums(const ElfReader& elf, std::span<const std::uint8_t> sums,
                                 std::span<const std::uint8_t> btf,
                                 std::span<const std::uint8_t> index);

}  // namespace scxsnap::native
