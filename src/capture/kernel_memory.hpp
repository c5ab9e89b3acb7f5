// SPDX-License-Identifier: Apache-2.0
// Kernel memory as capture reads it: chunks copied from kernel addresses,
// where an unmapped address fails its chunk (-EFAULT) instead of faulting a
// page in. The kernel reader (kernel_reader.hpp) is the real one; tests give
// recorded or synthetic memory through the same interface.
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <span>

namespace scxsnap::capture_detail {

class KernelMemory {
 public:
  static constexpr std::uint32_t kChunk = 4096;  // bytes per chunk at most
  static constexpr std::uint32_t kBatch = 64;    // chunks per read() at most

  struct Chunk {
    std::uint64_t kaddr = 0;
    std::uint32_t len = 0;                // <= kChunk; 0 = unused
    int rc = 0;                           // after read(): 0 or -errno (-EFAULT: not mapped)
    std::span<const std::uint8_t> bytes;  // after read(), valid until the next read()
  };

  virtual ~KernelMemory() = default;
  /// The kernel address of the map this memory was opened for (its `struct bpf_map`).
  virtual std::uint64_t map_address() const = 0;
  /// Up to kBatch chunks at once; an error only when the read itself failed.
  virtual Result<bool> read(std::span<Chunk> chunks) = 0;
  /// One 64-bit word; an error when it is not mapped.
  Result<std::uint64_t> read_u64(std::uint64_t kaddr);
};

}  // namespace scxsnap::capture_detail
