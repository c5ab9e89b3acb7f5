// SPDX-License-Identifier: Apache-2.0
// TapeRecorder (kernel_tape.hpp): every call passed on, every answer written.
#include "kernel_tape.hpp"
#include "map_iter.hpp"
#include "report/json/json_writer.hpp"
#include "tape_json.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <fmt/format.h>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

using tape::Answer;
using tape::Args;

std::span<const std::uint8_t> bytes(const void* p, std::size_t n) {
  return {static_cast<const std::uint8_t*>(p), n};
}

// Kernel memory as the inner source reads it, each chunk written down.
class RecordedMemory final : public KernelMemory {
 public:
  RecordedMemory(std::unique_ptr<KernelMemory> inner, TapeRecorder& rec, std::uint32_t map_id)
      : inner_(std::move(inner)), rec_(rec), map_id_(map_id) {}
  std::uint64_t map_address() const override { return inner_->map_address(); }
  Result<bool> read(std::span<Chunk> chunks) override {
    auto r = inner_->read(chunks);
    for (const Chunk& c : chunks) {
      if (c.len == 0) continue;
      Answer a;
      if (!r) {
        a.str("error", r.error().message());
      } else {
        a.i64("rc", c.rc);
        if (c.rc == 0) a.bytes("bytes", c.bytes);
      }
      rec_.record("kread", Args().u64(map_id_).u64(c.kaddr).u64(c.len).text(), a.text());
    }
    return r;
  }

 private:
  std::unique_ptr<KernelMemory> inner_;
  TapeRecorder& rec_;
  std::uint32_t map_id_;
};

}  // namespace

TapeRecorder::TapeRecorder(std::unique_ptr<tape::Writer> w, KernelSource& inner)
    : w_(std::move(w)), inner_(inner) {}
TapeRecorder::~TapeRecorder() = default;

Result<std::unique_ptr<TapeRecorder>> TapeRecorder::create(const std::filesystem::path& path,
                                                           KernelSource& inner) {
  SCXSNAP_TRY(std::unique_ptr<tape::Writer> w, tape::Writer::create(path));
  auto rec = std::unique_ptr<TapeRecorder>(new TapeRecorder(std::move(w), inner));
  rec->ncpus_ = static_cast<std::uint32_t>(inner.possible_cpus());
  // The machine facts a replay needs to agree on.
  Answer a;
  a.u64("page_size", static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
  a.u64("possible_cpus", rec->ncpus_);
  rec->record("machine", "[]", a.text());
  return rec;
}

Result<void> TapeRecorder::finish() {
  return w_->finish();
}

void TapeRecorder::record(std::string_view call, std::string_view args, std::string_view ans) {
  w_->line(call, args, ans);
}

// A descriptor the recorder did not hand out is map 0 of no size: nothing
// of its answers' bytes is written.
TapeRecorder::OpenMap TapeRecorder::map_of(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? OpenMap{} : it->second;
}

std::size_t TapeRecorder::value_bytes(const OpenMap& m) const {
  return lookup_value_size(m.type, m.value_size, ncpus_);
}

int TapeRecorder::next_map_id(std::uint32_t start, std::uint32_t* next) {
  int rc = inner_.next_map_id(start, next);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.u64("next", *next);
  record("next_map_id", Args().u64(start).text(), a.text());
  return rc;
}

int TapeRecorder::open_map(std::uint32_t id) {
  int fd = inner_.open_map(id);
  record("open_map", Args().u64(id).text(), Answer().i64("rc", fd < 0 ? fd : 0).text());
  if (fd >= 0) {
    // The sizes of what its lookups return (asked quietly: not part of the tape).
    bpf_map_info info{};
    OpenMap m{id, 0, 0, 0};
    if (inner_.map_info(fd, &info) == 0) m = {id, info.type, info.key_size, info.value_size};
    fds_[fd] = m;
  }
  return fd;
}

int TapeRecorder::map_info(int fd, bpf_map_info* info) {
  int rc = inner_.map_info(fd, info);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) tape::put_map_info(a, *info);
  record("map_info", Args().u64(map_of(fd).id).text(), a.text());
  return rc;
}

int TapeRecorder::lookup(int fd, const void* key, void* value) {
  int rc = inner_.lookup(fd, key, value);
  const OpenMap m = map_of(fd);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.bytes("value", bytes(value, value_bytes(m)));
  record("lookup", tape::keyed_args(m.id, key, m.key_size), a.text());
  return rc;
}

// Written as the lookup of key 0 that it stands for: a replay looks it up.
int TapeRecorder::map_value(std::uint32_t id, std::size_t size, std::unique_ptr<ValueBytes>* out) {
  int rc = inner_.map_value(id, size, out);
  if (rc != 0) return rc;  // the capture looks it up next: that is recorded
  const std::uint32_t key = 0;
  Answer a;
  a.i64("rc", 0);
  a.bytes("value", bytes((*out)->bytes().data(), size));
  record("lookup", tape::keyed_args(id, &key, sizeof key), a.text());
  return 0;
}

int TapeRecorder::lookup_batch(int fd, void* in_batch, void* out_batch, void* keys, void* values,
                               std::uint32_t* count) {
  const OpenMap m = map_of(fd);
  const std::size_t cursor = batch_cursor_size(m.type, m.key_size);
  std::string args = tape::batch_args(m.id, in_batch, cursor, *count);
  int rc = inner_.lookup_batch(fd, in_batch, out_batch, keys, values, count);
  Answer a;
  a.i64("rc", rc);
  a.u64("count", *count);
  if (rc == 0 || rc == -ENOENT) {
    a.bytes("out_batch", bytes(out_batch, cursor));
    a.bytes("keys", bytes(keys, std::size_t{*count} * m.key_size));
    a.bytes("values", bytes(values, std::size_t{*count} * value_bytes(m)));
  }
  record("lookup_batch", args, a.text());
  return rc;
}

int TapeRecorder::get_next_key(int fd, const void* key, void* next_key) {
  int rc = inner_.get_next_key(fd, key, next_key);
  const OpenMap m = map_of(fd);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.bytes("next", bytes(next_key, m.key_size));
  record("get_next_key", tape::keyed_args(m.id, key, m.key_size), a.text());
  return rc;
}

int TapeRecorder::lookup_task(int fd, std::int32_t tid, std::int32_t tgid, void* value) {
  int rc = inner_.lookup_task(fd, tid, tgid, value);
  const OpenMap m = map_of(fd);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.bytes("value", bytes(value, m.value_size));
  record("lookup_task", Args().u64(m.id).i64(tid).i64(tgid).text(), a.text());
  return rc;
}

int TapeRecorder::lookup_cgroup(int fd, const std::string& dir, void* value) {
  int rc = inner_.lookup_cgroup(fd, dir, value);
  const OpenMap m = map_of(fd);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.bytes("value", bytes(value, m.value_size));
  record("lookup_cgroup", Args().u64(m.id).str(dir).text(), a.text());
  return rc;
}

Result<RingbufPositions> TapeRecorder::ringbuf_positions(std::uint32_t id) {
  auto r = inner_.ringbuf_positions(id);
  Answer a;
  if (!r) {
    a.str("error", r.error().message());
  } else {
    a.u64("consumer", r->consumer);
    a.u64("producer", r->producer);
    a.u64("pending", r->pending);
  }
  record("ringbuf_positions", Args().u64(id).text(), a.text());
  return r;
}

Result<std::unique_ptr<KernelMemory>> TapeRecorder::kernel_memory(int fd) {
  auto r = inner_.kernel_memory(fd);
  const std::uint32_t id = map_of(fd).id;
  Answer a;
  if (!r) {
    a.str("error", r.error().message());
    a.i64("code", static_cast<int>(r.error().code()));
  } else {
    a.u64("map_address", (*r)->map_address());
  }
  record("kernel_memory", Args().u64(id).text(), a.text());
  if (!r) return r.error();
  return std::unique_ptr<KernelMemory>(std::make_unique<RecordedMemory>(std::move(*r), *this, id));
}

std::map<std::string, std::uint64_t> TapeRecorder::kernel_symbols(
    std::span<const std::string_view> names) {
  auto r = inner_.kernel_symbols(names);
  Args args;
  for (std::string_view n : names) args.str(n);
  Answer a;
  for (const auto& [name, addr] : r) a.u64(name, addr);
  record("kernel_symbols", args.text(), a.text());
  return r;
}

Result<KernelAnchors> TapeRecorder::kernel_anchors(const AnchorRequest& req) {
  auto r = inner_.kernel_anchors(req);
  Answer a;
  if (!r) {
    a.str("error", r.error().message());
    a.i64("code", static_cast<int>(r.error().code()));
  } else {
    a.u64("cpu", r->cpu);
    a.u64("task", r->task);
    a.u64("chased1", r->chased1);
    a.u64("chased2", r->chased2);
    a.u64s("per_cpu_offsets", r->per_cpu_offsets);
  }
  record("kernel_anchors", Args().u64(req.pptrs_offset).i64(req.chase1).i64(req.chase2).text(),
         a.text());
  return r;
}

int TapeRecorder::next_prog_id(std::uint32_t start, std::uint32_t* next) {
  int rc = inner_.next_prog_id(start, next);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.u64("next", *next);
  record("next_prog_id", Args().u64(start).text(), a.text());
  return rc;
}

int TapeRecorder::prog_info(std::uint32_t id, bool with_imm64s, ProgRecord* out) {
  int rc = inner_.prog_info(id, with_imm64s, out);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) tape::put_prog(a, *out);
  record("prog_info", Args().u64(id).boolean(with_imm64s).text(), a.text());
  return rc;
}

std::vector<std::uint32_t> TapeRecorder::struct_ops_link_map_ids() {
  auto ids = inner_.struct_ops_link_map_ids();
  Answer a;
  a.u32s("map_ids", ids);
  record("struct_ops_links", "[]", a.text());
  return ids;
}

struct btf* TapeRecorder::vmlinux_btf(int* err) {
  struct btf* b = inner_.vmlinux_btf(err);
  Answer a;
  a.i64("rc", b ? 0 : *err);
  if (b) {
    std::uint32_t size = 0;
    const void* raw = btf__raw_data(b, &size);
    a.bytes("btf", bytes(raw, size));
  }
  record("vmlinux_btf", "[]", a.text());
  return b;
}

Result<struct btf*> TapeRecorder::btf_by_id(std::uint32_t id, const VmlinuxBtf& vmlinux) {
  auto r = inner_.btf_by_id(id, vmlinux);
  Answer a;
  if (!r) {
    a.str("error", r.error().message());
    a.i64("code", static_cast<int>(r.error().code()));
  } else {
    std::uint32_t size = 0;
    const void* raw = btf__raw_data(*r, &size);  // split BTF: its own types only
    a.boolean("split", btf__base_btf(*r) != nullptr);
    a.bytes("btf", bytes(raw, size));
  }
  record("btf_by_id", Args().u64(id).text(), a.text());
  return r;
}

int TapeRecorder::read_file(const std::string& path, std::string* out) {
  int rc = inner_.read_file(path, out);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.bytes("text", bytes(out->data(), out->size()));
  record("read_file", Args().str(path).text(), a.text());
  return rc;
}

int TapeRecorder::list_dir(const std::string& path, std::vector<DirEntry>* out) {
  int rc = inner_.list_dir(path, out);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) tape::put_entries(a, *out);
  record("list_dir", Args().str(path).text(), a.text());
  return rc;
}

int TapeRecorder::inode_of(const std::string& path, std::uint64_t* ino) {
  int rc = inner_.inode_of(path, ino);
  Answer a;
  a.i64("rc", rc);
  if (rc == 0) a.u64("ino", *ino);
  record("inode_of", Args().str(path).text(), a.text());
  return rc;
}

int TapeRecorder::possible_cpus() {
  int n = inner_.possible_cpus();
  record("possible_cpus", "[]", Answer().i64("n", n).text());
  return n;
}

int TapeRecorder::enable_stats() {
  int rc = inner_.enable_stats();
  record("enable_stats", "[]", Answer().i64("rc", rc < 0 ? rc : 0).text());
  return rc;
}

HostIdentity TapeRecorder::host() {
  HostIdentity h = inner_.host();
  record("host", "[]",
         Answer().str("hostname", h.hostname).str("kernel_release", h.kernel_release).text());
  return h;
}

}  // namespace scxsnap::capture_detail
