// SPDX-License-Identifier: Apache-2.0
#include "kernel_memory.hpp"

#include <array>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail {

Result<std::uint64_t> KernelMemory::read_u64(std::uint64_t kaddr) {
  std::array<Chunk, 1> c{};
  c[0].kaddr = kaddr;
  c[0].len = sizeof(std::uint64_t);
  SCXSNAP_TRY_VOID(read(c));
  if (c[0].rc != 0)
    return make_error(ErrorCode::Io, fmt::format("reading kernel address 0x{:x}: {}", kaddr,
                                                 std::strerror(-c[0].rc)));
  std::uint64_t v = 0;
  if (c[0].bytes.size() < sizeof v)
    return make_error(ErrorCode::Io, fmt::format("reading kernel address 0x{:x}: {} of 8 bytes",
                                                 kaddr, c[0].bytes.size()));
  std::memcpy(&v, c[0].bytes.data(), sizeof v);
  return v;
}

}  // namespace scxsnap::capture_detail
