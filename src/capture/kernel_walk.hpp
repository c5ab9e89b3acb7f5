// SPDX-License-Identifier: Apache-2.0
// Walking kernel structures on a live host, read-only: the kernel-memory
// reader (kernel_memory.hpp) for the bytes, vmlinux BTF for every offset
// (kernel_types.hpp), /proc/kallsyms for global symbols where it lists them,
// and the per-CPU anchors (percpu_anchors.hpp) for each CPU's per-CPU base.
// A read of an unmapped address fails instead of faulting a page in; nothing
// is written to the kernel. All through a KernelSource, so a recorded walk
// replays without root.
#pragma once

#include "kernel_source.hpp"
#include "kernel_types.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scxsnap::capture_detail {

/// Bytes of kernel objects by address.
class KernelPeek {
 public:
  explicit KernelPeek(KernelMemory& m) : m_(m) {}
  /// `len` bytes at `kaddr`; nullopt when any of them is not mapped (or the read failed).
  std::optional<std::vector<std::uint8_t>> bytes(std::uint64_t kaddr, std::uint32_t len);
  /// Objects of `len` bytes at each address, read in as few runs as possible.
  std::vector<std::optional<std::vector<std::uint8_t>>> many(std::span<const std::uint64_t> kaddrs,
                                                             std::uint32_t len);
  /// An unsigned little-endian value of `size` bytes (1, 2, 4 or 8).
  std::optional<std::uint64_t> word(std::uint64_t kaddr, std::uint32_t size = 8);
  std::uint64_t reads() const { return reads_; }
  /// The first failure of the reader itself (not an unmapped address).
  const std::string& error() const { return error_; }

 private:
  KernelMemory& m_;
  std::uint64_t reads_ = 0;
  std::string error_;
};

/// The part of an object that holds some of its members, read at once.
class Slice {
 public:
  /// The smallest range holding every member given (absent ones ignored).
  static Slice of(std::initializer_list<std::optional<MemberRef>> members);
  /// Reads the range of the object at `kva`; false when it is not mapped.
  bool read(KernelPeek& peek, std::uint64_t kva);
  std::uint32_t lo() const { return lo_; }
  std::uint32_t len() const { return hi_ > lo_ ? hi_ - lo_ : 0; }
  void assign(std::vector<std::uint8_t> bytes) { bytes_ = std::move(bytes); }
  /// A member's value, little-endian (0 where absent or out of the range).
  std::uint64_t u(const std::optional<MemberRef>& m) const;
  std::int64_t s(const std::optional<MemberRef>& m) const;
  /// A char array member up to its first NUL.
  std::string text(const std::optional<MemberRef>& m) const;

 private:
  std::uint32_t lo_ = 0, hi_ = 0;
  std::vector<std::uint8_t> bytes_;
};

/// One CPU's runqueue, as every kernel has it.
struct KernelRq {
  std::uint32_t cpu = 0;
  std::uint64_t kva = 0;  // its struct rq
  std::uint32_t nr_running = 0;
  std::uint64_t curr = 0;  // rq->curr
  std::optional<std::int32_t> curr_pid;
  std::optional<std::string> curr_comm;
};

class KernelWalk {
 public:
  /// Opens the reader and finds each CPU's runqueue. Errors say which of
  /// the reader, BTF, kallsyms or the anchors stood in the way.
  static Result<std::unique_ptr<KernelWalk>> open(KernelSource& src, const struct btf* vmlinux);

  const KernelTypes& types() const { return types_; }
  KernelPeek& peek() { return peek_; }
  /// __per_cpu_offset of CPUs 0..nr_cpu_ids-1.
  std::span<const std::uint64_t> per_cpu_offsets() const { return offsets_; }
  /// Global symbols the walkers may use (scx_root, the sched classes),
  /// where /proc/kallsyms lists them.
  const std::map<std::string, std::uint64_t>& symbols() const { return symbols_; }
  /// The struct rq of `cpu`.
  std::uint64_t rq(std::uint32_t cpu) const { return runqueues_ + offsets_[cpu]; }
  /// How the runqueues were found ("/proc/kallsyms" or "the running task's cfs_rq").
  const std::string& runqueues_from() const { return runqueues_from_; }

  /// Every CPU's runqueue: nr_running and the running task.
  Result<std::vector<KernelRq>> runqueues();

 private:
  KernelWalk(std::unique_ptr<KernelMemory> mem, const struct btf* vmlinux)
      : mem_(std::move(mem)), types_(vmlinux), peek_(*mem_) {}
  std::unique_ptr<KernelMemory> mem_;
  KernelTypes types_;
  KernelPeek peek_;
  std::vector<std::uint64_t> offsets_;
  std::map<std::string, std::uint64_t> symbols_;
  std::uint64_t runqueues_ = 0;
  std::string runqueues_from_;
};

}  // namespace scxsnap::capture_detail
