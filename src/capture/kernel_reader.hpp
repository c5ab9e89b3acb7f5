// SPDX-License-Identifier: Apache-2.0
// Reading kernel memory without side effects, for what no bpf(2) command
// returns (arena pages): a BPF `syscall` program, loaded for one capture and
// run with BPF_PROG_TEST_RUN, copies chunks with bpf_probe_read_kernel into
// an mmap-able array map. The copy fails (-EFAULT) on an unmapped page
// instead of faulting it in, which is what tells an arena's allocated pages
// from the ones it never had.
#pragma once

#include "fd.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <span>

namespace scxsnap::capture_detail {

class KernelReader {
 public:
  static constexpr std::uint32_t kChunk = 4096;  // bytes per chunk at most
  static constexpr std::uint32_t kBatch = 64;    // chunks per program run

  struct Chunk {
    std::uint64_t kaddr = 0;
    std::uint32_t len = 0;                // <= kChunk; 0 = unused
    int rc = 0;                           // after read(): 0 or -errno (-EFAULT: not mapped)
    std::span<const std::uint8_t> bytes;  // after read(), valid until the next read()
  };

  /// A reader whose program also reports the kernel address of `map_fd`'s
  /// `struct bpf_map` (map_address()). Needs CAP_BPF and CAP_PERFMON (root).
  static Result<KernelReader> create(int map_fd);

  KernelReader(KernelReader&& o) noexcept;
  KernelReader& operator=(KernelReader&&) = delete;
  KernelReader(const KernelReader&) = delete;
  KernelReader& operator=(const KernelReader&) = delete;
  ~KernelReader();

  std::uint64_t map_address() const { return map_address_; }
  /// Up to kBatch chunks in one run of the program.
  Result<bool> read(std::span<Chunk> chunks);
  /// One 64-bit word; nullopt-like error when it is not mapped.
  Result<std::uint64_t> read_u64(std::uint64_t kaddr);

 private:
  KernelReader(Fd buffer, Fd prog, const std::uint8_t* view);
  Fd buffer_;
  Fd prog_;
  const std::uint8_t* view_ = nullptr;  // the buffer map's value, mapped read-only
  std::uint64_t map_address_ = 0;
};

}  // namespace scxsnap::capture_detail
