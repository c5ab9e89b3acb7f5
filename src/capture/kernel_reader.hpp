// SPDX-License-Identifier: Apache-2.0
// Reading kernel memory without side effects, for what no bpf(2) command
// returns (arena pages): a BPF `syscall` program, loaded for one capture and
// run with BPF_PROG_TEST_RUN, copies chunks with bpf_probe_read_kernel into
// an mmap-able array map. The copy fails (-EFAULT) on an unmapped page
// instead of faulting it in, which is what tells an arena's allocated pages
// from the ones it never had.
#pragma once

#include "fd.hpp"
#include "kernel_memory.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <span>

namespace scxsnap::capture_detail {

class KernelReader final : public KernelMemory {
 public:
  /// A reader whose program also reports the kernel address of `map_fd`'s
  /// `struct bpf_map` (map_address()); with `map_fd` < 0 a reader of no map
  /// (map_address() 0). Needs CAP_BPF and CAP_PERFMON (root).
  static Result<KernelReader> create(int map_fd);

  KernelReader(KernelReader&& o) noexcept;
  KernelReader& operator=(KernelReader&&) = delete;
  KernelReader(const KernelReader&) = delete;
  KernelReader& operator=(const KernelReader&) = delete;
  ~KernelReader() override;

  std::uint64_t map_address() const override { return map_address_; }
  /// Up to kBatch chunks in one run of the program.
  Result<bool> read(std::span<Chunk> chunks) override;

 private:
  KernelReader(Fd buffer, Fd prog, const std::uint8_t* view);
  Fd buffer_;
  Fd prog_;
  const std::uint8_t* view_ = nullptr;  // the buffer map's value, mapped read-only
  std::uint64_t map_address_ = 0;
};

}  // namespace scxsnap::capture_detail
