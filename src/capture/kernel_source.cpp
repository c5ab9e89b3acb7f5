// SPDX-License-Identifier: Apache-2.0
// The live kernel behind the KernelSource seam (kernel_source.hpp).
#include "kernel_source.hpp"

#include "fd.hpp"
#include "kernel_abi.hpp"
#include "kernel_reader.hpp"
#include "kernel_symbols.hpp"
#include "percpu_anchors.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

int neg_errno(int rc) {
  return rc < 0 ? -errno : rc;
}

// bpf_prog_info twice: once for the counts, once with room for the lists
// (which may have grown in between: the second count is kept).
int prog_info_of(int fd, bool with_imm64s, ProgRecord* out) {
  bpf_prog_info info{};
  std::uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return -errno;
  ProgRecord p;
  p.type = info.type;
  p.btf_id = info.btf_id;
  p.name = std::string(info.name, strnlen(info.name, sizeof info.name));
  p.run_cnt = info.run_cnt;
  p.run_time_ns = info.run_time_ns;
  p.recursion_misses = info.recursion_misses;
  std::vector<bpf_insn> insns;
  if (info.nr_map_ids > 0 || (with_imm64s && info.xlated_prog_len > 0)) {
    p.map_ids.resize(info.nr_map_ids);
    if (with_imm64s) insns.resize(info.xlated_prog_len / sizeof(bpf_insn));
    bpf_prog_info again{};
    again.nr_map_ids = static_cast<std::uint32_t>(p.map_ids.size());
    again.map_ids = reinterpret_cast<std::uintptr_t>(p.map_ids.data());
    again.xlated_prog_len = static_cast<std::uint32_t>(insns.size() * sizeof(bpf_insn));
    again.xlated_prog_insns = reinterpret_cast<std::uintptr_t>(insns.data());
    len = sizeof again;
    if (bpf_obj_get_info_by_fd(fd, &again, &len) != 0) return -errno;
    p.map_ids.resize(std::min<std::size_t>(p.map_ids.size(), again.nr_map_ids));
    insns.resize(std::min<std::size_t>(insns.size(), again.xlated_prog_len / sizeof(bpf_insn)));
  }
  for (std::size_t i = 0; i + 1 < insns.size(); ++i) {
    if (insns[i].code != (BPF_LD | BPF_DW | BPF_IMM)) continue;
    p.imm64s.push_back(static_cast<std::uint32_t>(insns[i].imm) |
                       std::uint64_t{static_cast<std::uint32_t>(insns[i + 1].imm)} << 32);
    ++i;
  }
  *out = std::move(p);
  return 0;
}

}  // namespace

int KernelSource::next_map_id(std::uint32_t start, std::uint32_t* next) {
  return neg_errno(bpf_map_get_next_id(start, next));
}

int KernelSource::open_map(std::uint32_t id) {
  LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
  return neg_errno(bpf_map_get_fd_by_id_opts(id, &opts));
}

int KernelSource::map_info(int fd, bpf_map_info* info) {
  *info = {};
  std::uint32_t len = sizeof *info;
  return neg_errno(bpf_obj_get_info_by_fd(fd, info, &len));
}

int KernelSource::lookup(int fd, const void* key, void* value) {
  return neg_errno(bpf_map_lookup_elem(fd, key, value));
}

int KernelSource::lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                               std::uint32_t* count) {
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  return neg_errno(bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count, &opts));
}

int KernelSource::get_next_key(int fd, const void* key, void* next_key) {
  return neg_errno(bpf_map_get_next_key(fd, key, next_key));
}

int KernelSource::lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value) {
  // PIDFD_THREAD (= O_EXCL, 6.9+) opens any thread; older kernels only leaders.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, tid, O_EXCL));
  if (pidfd < 0 && errno == EINVAL && tid == tgid)
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, tid, 0));
  if (pidfd < 0) return -ESRCH;  // gone, or a thread this kernel cannot name
  Fd owner(pidfd);
  return lookup(fd, &pidfd, value);
}

int KernelSource::lookup_cgroup(int fd, const std::string& dir, void* value) {
  Fd owner(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!owner.valid()) return -errno;
  int dfd = owner.get();
  return lookup(fd, &dfd, value);
}

namespace {

class MappedValue final : public ValueBytes {
 public:
  MappedValue(void* p, std::size_t mapped, std::size_t size) : p_(p), mapped_(mapped) {
    bytes_ = {static_cast<const std::uint8_t*>(p), size};
  }
  MappedValue(const MappedValue&) = delete;
  MappedValue& operator=(const MappedValue&) = delete;
  ~MappedValue() override { ::munmap(p_, mapped_); }

 private:
  void* p_;
  std::size_t mapped_;
};

}  // namespace

int KernelSource::map_value(std::uint32_t id, std::size_t size, std::unique_ptr<ValueBytes>* out) {
  if (size == 0) return -EINVAL;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t mapped = (size + page - 1) / page * page;
  // As for the ring buffer: a shared mapping needs a read-write fd (of a
  // read-only one the kernel makes a private mapping, which BPF refuses).
  // It is mapped PROT_READ, so the kernel also drops VM_MAYWRITE: the map's
  // owner can still freeze it, and nothing can be written through it.
  Fd fd(bpf_map_get_fd_by_id(id));
  if (!fd.valid()) return -errno;
  void* p = ::mmap(nullptr, mapped, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return -errno;
  *out = std::make_unique<MappedValue>(p, mapped, size);
  return 0;
}

Result<RingbufPositions> KernelSource::ringbuf_positions(std::uint32_t id) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  // mmap turns MAP_SHARED of a read-only fd into a private mapping, which BPF
  // refuses; so this one map is opened read-write. The pages are mapped
  // PROT_READ: nothing is written.
  Fd fd(bpf_map_get_fd_by_id(id));
  if (!fd.valid())
    return Error(ErrorCode::Io,
                 fmt::format("cannot open the ring buffer: {}", std::strerror(errno)));
  // Read-only mappings of the consumer and producer pages: positions only.
  void* cons = ::mmap(nullptr, page, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (cons == MAP_FAILED)
    return Error(ErrorCode::Io, fmt::format("cannot map the ring buffer's consumer page: {}",
                                            std::strerror(errno)));
  void* prod = ::mmap(nullptr, page, PROT_READ, MAP_SHARED, fd.get(), static_cast<off_t>(page));
  if (prod == MAP_FAILED) {
    const int err = errno;
    ::munmap(cons, page);
    return Error(ErrorCode::Io,
                 fmt::format("cannot map the ring buffer's producer page: {}", std::strerror(err)));
  }
  RingbufPositions p;
  p.consumer = __atomic_load_n(static_cast<const std::uint64_t*>(cons), __ATOMIC_ACQUIRE);
  p.producer = __atomic_load_n(static_cast<const std::uint64_t*>(prod), __ATOMIC_ACQUIRE);
  // pending_pos follows producer_pos on the producer page (Linux 6.8+).
  p.pending = __atomic_load_n(static_cast<const std::uint64_t*>(prod) + 1, __ATOMIC_ACQUIRE);
  ::munmap(cons, page);
  ::munmap(prod, page);
  return p;
}

Result<std::unique_ptr<KernelMemory>> KernelSource::kernel_memory(int fd) {
  SCXSNAP_TRY(KernelReader kr, KernelReader::create(fd));
  return std::unique_ptr<KernelMemory>(std::make_unique<KernelReader>(std::move(kr)));
}

std::map<std::string, std::uint64_t> KernelSource::kernel_symbols(
    std::span<const std::string_view> names) {
  // Asked of the kernel's table directly where a program may (root): 30x
  // faster than the file, which the kernel formats whole for every read.
  if (auto r = lookup_kernel_symbols(names)) return std::move(*r);
  return read_kallsyms_file("/proc/kallsyms", names);
}

Result<KernelAnchors> KernelSource::kernel_anchors(const AnchorRequest& req) {
  return read_kernel_anchors(req, possible_cpus());
}

int KernelSource::next_prog_id(std::uint32_t start, std::uint32_t* next) {
  return neg_errno(bpf_prog_get_next_id(start, next));
}

std::vector<std::uint32_t> KernelSource::prog_ids() {
  std::vector<std::uint32_t> ids;
  for (std::uint32_t id = 0, next = 0; next_prog_id(id, &next) == 0 && next > id; id = next)
    ids.push_back(next);
  return ids;
}

int KernelSource::prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out) {
  Fd fd(bpf_prog_get_fd_by_id(id));
  if (!fd.valid()) return -errno;
  return prog_info_of(fd.get(), with_imm64s, out);
}

std::vector<std::uint32_t> KernelSource::struct_ops_link_map_ids() {
  std::vector<std::uint32_t> out;
  std::uint32_t id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    Fd fd(bpf_link_get_fd_by_id(id));
    if (!fd.valid()) continue;
    struct bpf_link_info info {};
    std::uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
    if (auto map_id = struct_ops_link_map_id(info, len)) out.push_back(*map_id);
  }
  return out;
}

// sysfs's copy, mapped where the kernel allows it (6.16 and later: one call
// instead of a read of each 4 KiB page, ~2x faster), else read; libbpf's
// search of its other places when sysfs has none.
struct btf* KernelSource::vmlinux_btf(int* err) {
  Fd fd(::open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.valid() && ::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p != MAP_FAILED) {
      struct btf* b = btf__new(p, static_cast<std::uint32_t>(size));  // a copy
      ::munmap(p, size);
      if (b) return b;
    }
  }
  struct btf* b = btf__load_vmlinux_btf();
  if (!b) *err = -errno;
  return b;
}

Result<struct btf*> KernelSource::btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux) {
  // Module BTF is split on top of vmlinux; program BTF stands alone.
  Fd fd(bpf_btf_get_fd_by_id(id));
  if (!fd.valid())
    return Error(ErrorCode::NotFound, fmt::format("BTF object {}: {}", id, std::strerror(errno)));
  bpf_btf_info info{};
  char name[64] = {};
  info.name = reinterpret_cast<std::uintptr_t>(name);
  info.name_len = sizeof name;
  std::uint32_t len = sizeof info;
  bool split = false;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0)
    split = info.kernel_btf && std::string_view(name) != "vmlinux";
  const struct btf* base = split ? vmlinux() : nullptr;
  struct btf* b = base ? btf__load_from_kernel_by_id_split(id, const_cast<struct btf*>(base))
                       : btf__load_from_kernel_by_id(id);
  if (!b)
    return Error(ErrorCode::BadInput,
                 fmt::format("cannot load BTF object {}: {}", id, std::strerror(errno)));
  return b;
}

int KernelSource::read_file(const std::string& path, std::string* out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return -errno;
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  *out = std::move(text);
  return 0;
}

int KernelSource::list_dir(const std::string& path, std::vector<DirEntry>* out) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return -errno;
  std::vector<DirEntry> entries;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry de{std::string(name), e->d_type == DT_DIR, e->d_type == DT_LNK};
    if (e->d_type == DT_UNKNOWN) {  // a file system that does not say: ask
      struct stat st {};
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        de.dir = S_ISDIR(st.st_mode);
        de.symlink = S_ISLNK(st.st_mode);
      }
    }
    entries.push_back(std::move(de));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return -err;
  *out = std::move(entries);
  return 0;
}

int KernelSource::inode_of(const std::string& path, std::uint64_t* ino) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -errno;
  *ino = st.st_ino;
  return 0;
}

int KernelSource::possible_cpus() {
  int n = libbpf_num_possible_cpus();
  return n > 0 ? n : 1;
}

int KernelSource::enable_stats() {
  return neg_errno(bpf_enable_stats(BPF_STATS_RUN_TIME));
}

HostIdentity KernelSource::host() {
  HostIdentity h;
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  h.hostname = name;
  utsname u{};
  if (::uname(&u) == 0) h.kernel_release = u.release;
  return h;
}

KernelSource& system_kernel_source() {
  static KernelSource source;
  return source;
}

}  // namespace scxsnap::capture_detail
