// SPDX-License-Identifier: Apache-2.0
// The kernel as capture sees it. Every kernel access a capture makes goes
// through a KernelSource: map calls, program and link info, BTF objects,
// ring-buffer positions, kernel memory, the files of /proc, /sys and
// cgroupfs, the host's identity. Three implementations: the live kernel
// (system_kernel_source), a recorder that writes every answer to a tape, and
// a replayer that answers from a tape (kernel_tape.hpp) and injects faults.
// So every capture path runs without root, and fails where a test says.
#pragma once

#include "kernel_memory.hpp"
#include "scxsnap/result.hpp"

#include <linux/bpf.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct btf;

namespace scxsnap::capture_detail {

/// What capture asks of a program.
struct ProgRecord {
  std::uint32_t type = 0, btf_id = 0;
  std::string name;
  std::uint64_t run_cnt = 0, run_time_ns = 0, recursion_misses = 0;
  std::vector<std::uint32_t> map_ids;
  /// The 64-bit immediates of the translated instructions' ld_imm64 (only
  /// when asked for: they locate an arena's globals).
  std::vector<std::uint64_t> imm64s;
};

/// A ring buffer's positions, from its consumer and producer pages.
struct RingbufPositions {
  std::uint64_t consumer = 0, producer = 0, pending = 0;
};

struct DirEntry {
  std::string name;
  bool dir = false;      // a directory (not through a symlink)
  bool symlink = false;  // a symbolic link
};

/// Bytes a KernelSource hands out and keeps alive until the holder dies: a
/// mapping of the kernel's pages (live) or a copy (a tape).
class ValueBytes {
 public:
  virtual ~ValueBytes() = default;
  std::span<const std::uint8_t> bytes() const { return bytes_; }

 protected:
  std::span<const std::uint8_t> bytes_;
};

/// What the per-CPU anchors program is asked (percpu_anchors.hpp).
struct AnchorRequest {
  std::uint32_t pptrs_offset = 0;  ///< offsetof(struct bpf_array, pptrs), from vmlinux BTF
  /// Pointers chased from the current task in the same run: *(task + chase1),
  /// then *(that + chase2); -1: not chased.
  std::int64_t chase1 = -1, chase2 = -1;
};

/// The kernel's per-CPU bases, and a pointer path from the running task.
struct KernelAnchors {
  std::uint32_t cpu = 0;   ///< the CPU the program ran on
  std::uint64_t task = 0;  ///< the current task_struct's address
  std::uint64_t chased1 = 0, chased2 = 0;
  /// __per_cpu_offset[cpu] of CPUs 0..nr_cpu_ids-1.
  std::vector<std::uint64_t> per_cpu_offsets;
};

struct HostIdentity {
  std::string hostname, kernel_release;
};

/// Every call returns 0 (open_map, enable_stats: an fd) or -errno unless it
/// says otherwise; on an error nothing else is set.
class KernelSource {
 public:
  virtual ~KernelSource() = default;

  // Maps.
  virtual int next_map_id(std::uint32_t start, std::uint32_t* next);
  /// A read-only fd for map `id`.
  virtual int open_map(std::uint32_t id);
  virtual int map_info(int fd, bpf_map_info* info);
  virtual int lookup(int fd, const void* key, void* value);
  /// BPF_MAP_LOOKUP_BATCH; `count` in: room, out: entries returned.
  virtual int lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                           std::uint32_t* count);
  virtual int get_next_key(int fd, const void* key, void* next_key);
  /// The value of map `id`, a single-entry mmap-able array (a global
  /// section) of `size` bytes, read through a read-only shared mapping: no
  /// copy in the kernel or here (a 136 MiB `.bss` took 0.5 s of kernel time
  /// through lookup(), which allocates, zeroes and copies it twice). The
  /// bytes move while programs write, as lookup()'s copy would have. An
  /// error (-errno) where the map cannot be mapped: the caller looks it up.
  virtual int map_value(std::uint32_t id, std::size_t size, std::unique_ptr<ValueBytes>* out);
  /// Task storage of thread `tid` (of process `tgid`), looked up through a pidfd.
  /// -ESRCH: the thread cannot be named (it exited, or the kernel cannot open it).
  virtual int lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value);
  /// Cgroup storage of the cgroup directory `dir`, looked up through its fd.
  virtual int lookup_cgroup(int fd, const std::string& dir, void* value);
  /// Ring buffer `id`'s positions (an error names the step that failed).
  virtual Result<RingbufPositions> ringbuf_positions(std::uint32_t id);
  /// Kernel memory, with the address of map `fd`'s `struct bpf_map`.
  virtual Result<std::unique_ptr<KernelMemory>> kernel_memory(int fd);
  /// Addresses of `names` in /proc/kallsyms; names it does not list (data
  /// symbols without CONFIG_KALLSYMS_ALL, or a zero address under
  /// kptr_restrict) are left out.
  virtual std::map<std::string, std::uint64_t> kernel_symbols(
      std::span<const std::string_view> names);
  /// Each CPU's per-CPU base and the running task (percpu_anchors.hpp).
  virtual Result<KernelAnchors> kernel_anchors(const AnchorRequest& req);

  // Programs and links.
  virtual int next_prog_id(std::uint32_t start, std::uint32_t* next);
  /// Every program id, ascending (a walk that does not go up ends there:
  /// a tape could say anything).
  std::vector<std::uint32_t> prog_ids();
  virtual int prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out);
  /// The map ids of struct_ops maps registered through a BPF link.
  virtual std::vector<std::uint32_t> struct_ops_link_map_ids();

  // BTF: the caller owns what it gets (btf__free).
  /// vmlinux BTF, or nullptr with -errno in *err.
  virtual struct btf* vmlinux_btf(int* err);
  /// BTF object `id`; module BTF is split on the BTF `vmlinux()` gives
  /// (called only for module BTF; it may give nullptr: not loadable).
  using VmlinuxBtf = std::function<const struct btf*()>;
  virtual Result<struct btf*> btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux);

  // Files of /proc, /sys and cgroupfs.
  virtual int read_file(const std::string& path, std::string* out);
  virtual int list_dir(const std::string& path, std::vector<DirEntry>* out);
  /// The inode number of a path (a cgroup directory's is the cgroup's id).
  virtual int inode_of(const std::string& path, std::uint64_t* ino);

  // The host.
  virtual int possible_cpus();
  /// BPF_ENABLE_STATS(RUN_TIME): an fd that keeps run-time stats on.
  virtual int enable_stats();
  virtual HostIdentity host();
};

/// The real kernel, through libbpf.
KernelSource& system_kernel_source();

}  // namespace scxsnap::capture_detail
