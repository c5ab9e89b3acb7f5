// SPDX-License-Identifier: Apache-2.0
// TapeReplayer (kernel_tape.hpp): the kernel's answers from a tape.
#include "kernel_tape.hpp"
#include "map_iter.hpp"
#include "tape_json.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

using tape::Args;

constexpr std::uint64_t kMaxCpus = 8192;  // the kernel's NR_CPUS at most

// Copies recorded bytes into a caller's buffer of `room` bytes: a tape that
// answers more than the call can hold is refused (-EBADMSG), never copied.
int copy_out(const std::string& b, void* to, std::size_t room) {
  if (b.size() > room) return -EBADMSG;
  if (to && !b.empty()) std::memcpy(to, b.data(), b.size());
  return 0;
}

Error recorded_error(const JsonValue& ans) {
  auto code = tape::get_i64(ans, "code").value_or(static_cast<int>(ErrorCode::Io));
  return Error(static_cast<ErrorCode>(code), tape::get_str(ans, "error").value_or("(no message)"));
}

Error fault_error(std::string_view call, int rc) {
  return Error(ErrorCode::Io, fmt::format("{} failed: {}", call, std::strerror(-rc)));
}

// Kernel memory as a tape recorded it: each chunk answered by address and length.
class ReplayedMemory final : public KernelMemory {
 public:
  ReplayedMemory(TapeReplayer& tape, std::uint32_t map_id, std::uint64_t address)
      : tape_(tape), map_id_(map_id), address_(address) {}
  std::uint64_t map_address() const override { return address_; }
  Result<bool> read(std::span<Chunk> chunks) override {
    held_.clear();
    held_.reserve(chunks.size());
    for (Chunk& c : chunks) {
      if (c.len == 0) continue;
      int fault = 0;
      const JsonValue* a =
          tape_.answer("kread", Args().u64(map_id_).u64(c.kaddr).u64(c.len).text(), &fault);
      if (!a) {
        c.rc = fault ? fault : -EFAULT;
        c.bytes = {};
        continue;
      }
      if (tape::get_str(*a, "error")) return recorded_error(*a);
      c.rc = static_cast<int>(tape::get_i64(*a, "rc").value_or(-EIO));
      held_.push_back(tape::get_bytes(*a, "bytes").value_or(std::string()));
      if (c.rc == 0 && held_.back().size() != c.len) c.rc = -EIO;  // not what was asked
      c.bytes = std::span(reinterpret_cast<const std::uint8_t*>(held_.back().data()),
                          held_.back().size());
    }
    return true;
  }

 private:
  TapeReplayer& tape_;
  std::uint32_t map_id_;
  std::uint64_t address_;
  std::vector<std::string> held_;  // the bytes the chunks point at, until the next read
};

// Split BTF from its bytes: libbpf 1.1 parses split BTF only from a file, so
// the bytes go through a memfd.
struct btf* new_split_btf(const std::string& raw, const struct btf* base) {
  const int fd = ::memfd_create("scxsnap-btf", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  struct btf* b = nullptr;
  if (::write(fd, raw.data(), raw.size()) == static_cast<ssize_t>(raw.size()))
    b = btf__parse_raw_split(fmt::format("/proc/self/fd/{}", fd).c_str(),
                             const_cast<struct btf*>(base));
  ::close(fd);
  return b;
}

}  // namespace

TapeReplayer::~TapeReplayer() = default;

Result<std::unique_ptr<TapeReplayer>> TapeReplayer::open(const std::filesystem::path& path) {
  SCXSNAP_TRY(tape::Contents c, tape::read(path));
  auto r = std::unique_ptr<TapeReplayer>(new TapeReplayer());
  for (auto& l : c.lines) {
    if (l.call == "machine") {
      const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
      if (auto p = tape::get_u64(l.ans, "page_size"); p && *p != page)
        return Error(ErrorCode::Unsupported,
                     fmt::format("{}: recorded with {}-byte pages, this machine has {}-byte pages",
                                 path.string(), *p, page));
      r->header_ = l.ans;
      const auto cpus = tape::get_u64(l.ans, "possible_cpus").value_or(1);
      if (cpus == 0 || cpus > kMaxCpus)
        return Error(ErrorCode::BadInput,
                     fmt::format("{}: {} possible CPUs is not a machine (at most {})",
                                 path.string(), cpus, kMaxCpus));
      r->ncpus_ = static_cast<std::uint32_t>(cpus);
      continue;
    }
    r->answers_[l.call + " " + l.args].push_back(std::move(l.ans));
  }
  return r;
}

const JsonValue* TapeReplayer::answer(std::string_view call, const std::string& args, int* fault) {
  *fault = 0;
  for (FaultState& f : faults_) {
    if (f.f.call != call) continue;
    if (!f.f.arg.empty()) {
      auto v = parse_json(args);
      if (!v || !v->is_array() || v->items().empty()) continue;
      const JsonValue& first = v->items()[0];
      const std::string text = first.is_string() ? first.text() : to_json_text(first);
      if (text != f.f.arg) continue;
    }
    ++f.seen;
    if (f.f.nth == 0 || f.seen == f.f.nth) {
      *fault = f.f.rc;
      return nullptr;
    }
  }
  std::string key = std::string(call) + " " + args;
  auto it = answers_.find(key);
  if (it == answers_.end() || it->second.empty()) {
    misses_.push_back(std::move(key));
    return nullptr;
  }
  // The recorded answers in order; the last one stays for any call after.
  if (it->second.size() > 1) {
    held_.push_back(std::move(it->second.front()));
    it->second.pop_front();
    return &held_.back();
  }
  return &it->second.front();
}

std::size_t TapeReplayer::value_bytes(const OpenMap& m) const {
  return lookup_value_size(m.type, m.value_size, std::max<std::uint32_t>(ncpus_, 1));
}

TapeReplayer::OpenMap TapeReplayer::map_of(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? OpenMap{} : it->second;
}

namespace {

// The rc of an answer (a fault's, or -ENODATA for a call never recorded).
int rc_of(const JsonValue* a, int fault) {
  if (!a) return fault ? fault : -ENODATA;
  return static_cast<int>(tape::get_i64(*a, "rc").value_or(-EIO));
}

}  // namespace

int TapeReplayer::next_map_id(std::uint32_t start, std::uint32_t* next) {
  int fault = 0;
  const JsonValue* a = answer("next_map_id", Args().u64(start).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0) *next = static_cast<std::uint32_t>(tape::get_u64(*a, "next").value_or(0));
  return rc;
}

int TapeReplayer::open_map(std::uint32_t id) {
  int fault = 0;
  const JsonValue* a = answer("open_map", Args().u64(id).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc < 0) return rc;
  // A real descriptor (of /dev/null) stands for the map: whoever holds it closes it.
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  // The sizes its keys were written with: from the map's first recorded info.
  OpenMap m{id, 0, 0};
  if (auto it = answers_.find("map_info " + Args().u64(id).text());
      it != answers_.end() && !it->second.empty()) {
    m.type = static_cast<std::uint32_t>(tape::get_u64(it->second.front(), "type").value_or(0));
    m.key_size =
        static_cast<std::uint32_t>(tape::get_u64(it->second.front(), "key_size").value_or(0));
    m.value_size =
        static_cast<std::uint32_t>(tape::get_u64(it->second.front(), "value_size").value_or(0));
  }
  fds_[fd] = m;
  return fd;
}

int TapeReplayer::map_info(int fd, bpf_map_info* info) {
  int fault = 0;
  const JsonValue* a = answer("map_info", Args().u64(id_of(fd)).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc != 0) return rc;
  auto mi = tape::get_map_info(*a);
  if (!mi) return -EBADMSG;
  *info = *mi;
  // What this descriptor's lookups may write is what the caller was told.
  if (auto it = fds_.find(fd); it != fds_.end())
    it->second = OpenMap{it->second.id, mi->type, mi->key_size, mi->value_size};
  return 0;
}

int TapeReplayer::lookup(int fd, const void* key, void* value) {
  // The recorder wrote the key with the map's key size: the same here.
  const OpenMap m = map_of(fd);
  int fault = 0;
  const JsonValue* a = answer("lookup", tape::keyed_args(m.id, key, m.key_size), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0)
    rc = copy_out(tape::get_bytes(*a, "value").value_or(std::string()), value, value_bytes(m));
  return rc;
}

int TapeReplayer::map_value(std::uint32_t /*id*/, std::size_t /*size*/,
                            std::unique_ptr<ValueBytes>* /*out*/) {
  return -EOPNOTSUPP;
}

int TapeReplayer::lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                               std::uint32_t* count) {
  const OpenMap m = map_of(fd);
  const std::size_t cursor = batch_cursor_size(m.type, m.key_size);
  const std::uint32_t room = *count;
  int fault = 0;
  const JsonValue* a =
      answer("lookup_batch", tape::batch_args(m.id, in_batch, cursor, room), &fault);
  int rc = rc_of(a, fault);
  *count = 0;
  if (!a) return rc;
  const auto n = tape::get_u64(*a, "count").value_or(0);
  if (n > room) return -EBADMSG;
  int bad = copy_out(tape::get_bytes(*a, "out_batch").value_or(std::string()), out_batch, cursor);
  if (bad == 0)
    bad = copy_out(tape::get_bytes(*a, "keys").value_or(std::string()), keys,
                   std::size_t{room} * m.key_size);
  if (bad == 0)
    bad = copy_out(tape::get_bytes(*a, "values").value_or(std::string()), values,
                   std::size_t{room} * value_bytes(m));
  if (bad != 0) return bad;
  *count = static_cast<std::uint32_t>(n);
  return rc;
}

int TapeReplayer::get_next_key(int fd, const void* key, void* next_key) {
  const OpenMap m = map_of(fd);
  int fault = 0;
  const JsonValue* a = answer("get_next_key", tape::keyed_args(m.id, key, m.key_size), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0)
    rc = copy_out(tape::get_bytes(*a, "next").value_or(std::string()), next_key, m.key_size);
  return rc;
}

int TapeReplayer::lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value) {
  int fault = 0;
  const OpenMap m = map_of(fd);
  const JsonValue* a = answer("lookup_task", Args().u64(m.id).i64(tid).i64(tgid).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0)
    rc = copy_out(tape::get_bytes(*a, "value").value_or(std::string()), value, m.value_size);
  return rc;
}

int TapeReplayer::lookup_cgroup(int fd, const std::string& dir, void* value) {
  int fault = 0;
  const OpenMap m = map_of(fd);
  const JsonValue* a = answer("lookup_cgroup", Args().u64(m.id).str(dir).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0)
    rc = copy_out(tape::get_bytes(*a, "value").value_or(std::string()), value, m.value_size);
  return rc;
}

Result<RingbufPositions> TapeReplayer::ringbuf_positions(std::uint32_t id) {
  int fault = 0;
  const JsonValue* a = answer("ringbuf_positions", Args().u64(id).text(), &fault);
  if (!a) return fault_error("ringbuf_positions", rc_of(a, fault));
  if (tape::get_str(*a, "error")) return recorded_error(*a);
  return RingbufPositions{tape::get_u64(*a, "consumer").value_or(0),
                          tape::get_u64(*a, "producer").value_or(0),
                          tape::get_u64(*a, "pending").value_or(0)};
}

Result<std::unique_ptr<KernelMemory>> TapeReplayer::kernel_memory(int fd) {
  int fault = 0;
  const std::uint32_t id = id_of(fd);
  const JsonValue* a = answer("kernel_memory", Args().u64(id).text(), &fault);
  if (!a) return fault_error("kernel_memory", rc_of(a, fault));
  if (tape::get_str(*a, "error")) return recorded_error(*a);
  return std::unique_ptr<KernelMemory>(
      std::make_unique<ReplayedMemory>(*this, id, tape::get_u64(*a, "map_address").value_or(0)));
}

std::map<std::string, std::uint64_t> TapeReplayer::kernel_symbols(
    std::span<const std::string_view> names) {
  Args args;
  for (std::string_view n : names) args.str(n);
  int fault = 0;
  std::map<std::string, std::uint64_t> out;
  const JsonValue* a = answer("kernel_symbols", args.text(), &fault);
  if (!a) return out;
  for (std::string_view n : names)
    if (auto v = tape::get_u64(*a, n)) out.emplace(std::string(n), *v);
  return out;
}

Result<KernelAnchors> TapeReplayer::kernel_anchors(const AnchorRequest& req) {
  int fault = 0;
  const JsonValue* a =
      answer("kernel_anchors", Args().u64(req.pptrs_offset).i64(req.chase1).i64(req.chase2).text(),
             &fault);
  if (!a) return fault_error("kernel_anchors", rc_of(a, fault));
  if (tape::get_str(*a, "error")) return recorded_error(*a);
  KernelAnchors k;
  k.cpu = static_cast<std::uint32_t>(tape::get_u64(*a, "cpu").value_or(0));
  k.task = tape::get_u64(*a, "task").value_or(0);
  k.chased1 = tape::get_u64(*a, "chased1").value_or(0);
  k.chased2 = tape::get_u64(*a, "chased2").value_or(0);
  k.per_cpu_offsets = tape::get_u64s(*a, "per_cpu_offsets");
  return k;
}

int TapeReplayer::next_prog_id(std::uint32_t start, std::uint32_t* next) {
  int fault = 0;
  const JsonValue* a = answer("next_prog_id", Args().u64(start).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0) *next = static_cast<std::uint32_t>(tape::get_u64(*a, "next").value_or(0));
  return rc;
}

int TapeReplayer::prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out) {
  int fault = 0;
  const JsonValue* a = answer("prog_info", Args().u64(id).boolean(with_imm64s).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc != 0) return rc;
  auto p = tape::get_prog(*a);
  if (!p) return -EBADMSG;
  *out = std::move(*p);
  return 0;
}

std::vector<std::uint32_t> TapeReplayer::struct_ops_link_map_ids() {
  int fault = 0;
  std::vector<std::uint32_t> out;
  if (const JsonValue* a = answer("struct_ops_links", "[]", &fault))
    for (std::uint64_t id : tape::get_u64s(*a, "map_ids"))
      out.push_back(static_cast<std::uint32_t>(id));
  return out;
}

struct btf* TapeReplayer::vmlinux_btf(int* err) {
  int fault = 0;
  const JsonValue* a = answer("vmlinux_btf", "[]", &fault);
  int rc = rc_of(a, fault);
  if (rc != 0) {
    *err = rc;
    return nullptr;
  }
  auto raw = tape::get_bytes(*a, "btf");
  struct btf* b = raw ? btf__new(raw->data(), static_cast<std::uint32_t>(raw->size())) : nullptr;
  if (!b) *err = -EBADMSG;
  return b;
}

Result<struct btf*> TapeReplayer::btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux) {
  int fault = 0;
  const JsonValue* a = answer("btf_by_id", Args().u64(id).text(), &fault);
  if (!a)
    return Error(ErrorCode::BadInput,
                 fmt::format("cannot load BTF object {}: {}", id, std::strerror(-rc_of(a, fault))));
  if (tape::get_str(*a, "error")) return recorded_error(*a);
  auto raw = tape::get_bytes(*a, "btf");
  if (!raw)
    return Error(ErrorCode::BadInput, fmt::format("BTF object {}: no bytes on the tape", id));
  const bool split = a->find("split") && a->find("split")->bool_value();
  const struct btf* base = split ? vmlinux() : nullptr;
  if (split && !base)
    return Error(
        ErrorCode::BadInput,
        fmt::format("cannot load BTF object {}: its base (vmlinux BTF) is not loaded", id));
  struct btf* b = split ? new_split_btf(*raw, base)
                        : btf__new(raw->data(), static_cast<std::uint32_t>(raw->size()));
  if (!b)
    return Error(ErrorCode::BadInput,
                 fmt::format("cannot load BTF object {}: {}", id, std::strerror(errno)));
  return b;
}

int TapeReplayer::read_file(const std::string& path, std::string* out) {
  int fault = 0;
  const JsonValue* a = answer("read_file", Args().str(path).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0) *out = tape::get_bytes(*a, "text").value_or(std::string());
  return rc;
}

int TapeReplayer::list_dir(const std::string& path, std::vector<DirEntry>* out) {
  int fault = 0;
  const JsonValue* a = answer("list_dir", Args().str(path).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc != 0) return rc;
  auto e = tape::get_entries(*a);
  if (!e) return -EBADMSG;
  *out = std::move(*e);
  return 0;
}

int TapeReplayer::inode_of(const std::string& path, std::uint64_t* ino) {
  int fault = 0;
  const JsonValue* a = answer("inode_of", Args().str(path).text(), &fault);
  int rc = rc_of(a, fault);
  if (rc == 0) *ino = tape::get_u64(*a, "ino").value_or(0);
  return rc;
}

int TapeReplayer::possible_cpus() {
  // The header's count (checked when the tape was opened): what every
  // per-CPU buffer of the replay is sized by.
  return static_cast<int>(ncpus_);
}

int TapeReplayer::enable_stats() {
  int fault = 0;
  const JsonValue* a = answer("enable_stats", "[]", &fault);
  int rc = rc_of(a, fault);
  if (rc < 0) return rc;
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

HostIdentity TapeReplayer::host() {
  int fault = 0;
  HostIdentity h;
  if (const JsonValue* a = answer("host", "[]", &fault)) {
    h.hostname = tape::get_str(*a, "hostname").value_or("");
    h.kernel_release = tape::get_str(*a, "kernel_release").value_or("");
  }
  return h;
}

}  // namespace scxsnap::capture_detail
