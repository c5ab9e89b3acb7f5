// SPDX-License-Identifier: Apache-2.0
#include "section_sums.hpp"

#include "native_index.hpp"

#include <cstring>
#include <fmt/format.h>
#include <xxhash.h>

namespace scxsnap::native {

namespace {

std::uint64_t hash_of(const void* p, std::size_t n) {
  return XXH3_64bits(p, n);
}

}  // namespace

std::string section_sums(std::span<const std::uint8_t> btf, std::string_view index) {
  return section_sums(btf, hash_of(index.data(), index.size()));
}

std::string section_sums(std::span<const std::uint8_t> btf, std::uint64_t index_hash) {
  std::string out(kSumsMagic);
  const std::uint64_t h[2] = {hash_of(btf.data(), btf.size()), index_hash};
  out.append(reinterpret_cast<const char*>(h), sizeof h);
  return out;
}

Result<void> verify_section_sums(const ElfReader& elf, std::span<const std::uint8_t> sums,
                                 std::span<const std::uint8_t> btf,
                                 std::span<const std::uint8_t> index) {
  if (sums.size() != kSumsSize ||
      std::memcmp(sums.data(), kSumsMagic.data(), kSumsMagic.size()) != 0)
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: section {} at offset {} is not a checksum table ({} bytes): the "
                             "file is corrupt",
                             elf.path().string(), kSumsSection, elf.offset_of(sums), sums.size()));
  std::uint64_t want[2];
  std::memcpy(want, sums.data() + kSumsMagic.size(), sizeof want);
  const struct {
    const char* name;
    std::span<const std::uint8_t> bytes;
  } parts[] = {{kBtfSection, btf}, {kIndexSection, index}};
  for (std::size_t i = 0; i < 2; ++i) {
    const std::uint64_t got = hash_of(parts[i].bytes.data(), parts[i].bytes.size());
    if (got != want[i])
      return Error(ErrorCode::BadInput,
                   fmt::format("{}: section {} at offset {} ({} bytes) does not match its checksum "
                               "(XXH3 {:016x}, {} says {:016x}): the file is corrupt",
                               elf.path().string(), parts[i].name, elf.offset_of(parts[i].bytes),
                               parts[i].bytes.size(), got, kSumsSection, want[i]));
  }
  return {};
}

}  // namespace scxsnap::native
