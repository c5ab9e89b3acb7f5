// SPDX-License-Identifier: Apache-2.0
#include "map_reader.hpp"

#include "arena_reader.hpp"
#include "btf/map_contents.hpp"
#include "btf/raw_bytes.hpp"
#include "content_sink.hpp"
#include "kernel_abi.hpp"
#include "map_iter.hpp"
#include "raw_buffer.hpp"
#include "report/report_writer.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <sstream>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

constexpr std::uint32_t kFdArrayScanCap = 65536;
constexpr std::uint32_t kIndicesCap = 1024;
constexpr std::uint32_t kStackTraceCap = 1024;

using map_contents::CutLog;

std::string cap_note(const ReadContext& ctx, std::uint64_t visited, std::uint32_t max_entries) {
  return fmt::format("entry cap reached: captured {} of up to {} entries (--max-entries {})",
                     visited, max_entries, ctx.entry_cap);
}

// Every 16 entries, ask whether to stop (deadline or signal).
struct StopCheck {
  ReadContext& ctx;
  std::uint64_t n = 0;
  bool hit = false;
  bool operator()() {
    if ((++n & 15) == 0 && ctx.stopped()) hit = true;
    return !hit;
  }
};

// The map's `error`: the first thing that left its contents incomplete.
void finish_map(const WalkResult* w, const StopCheck* sc, ReadContext& ctx, const MapInfo& info,
                FailureDumpMap& m) {
  if (ctx.sink) ctx.sink->end_entries();
  const CutLog& cut = ctx.cut;
  ctx.stats.values_truncated += cut.values;
  if (m.error) return;
  std::string why = ctx.stop_reason ? ctx.stop_reason() : std::string("stop requested");
  if (w && !w->error.empty())
    m.error = w->error;
  else if (((sc && sc->hit) || cut.stopped) && w)
    m.error = fmt::format("capture stopped ({}) after {} entries: the contents are incomplete", why,
                          w->visited);
  else if (cut.stopped)
    m.error = fmt::format("capture stopped ({}) while rendering the value: it is incomplete", why);
  else if (w && w->capped)
    m.error = cap_note(ctx, w->visited, info.max_entries);
  else if (cut.values)
    m.error = map_contents::cut_error(cut, ctx.limits.max_value_bytes);
}

// A hash or array map's entries, in the kernel's order, each to the sink.
void read_entries(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  MapShape shape{
      fd, info.type, info.key_size,
      static_cast<std::uint32_t>(lookup_value_size(info.type, info.value_size, ctx.ncpus)),
      info.max_entries};
  StopCheck sc{ctx};
  WalkResult w =
      walk_entries(ctx.src, shape, ctx.entry_cap, ctx.buffer_bytes, [&](auto key, auto value) {
        ++ctx.stats.entries;
        const bool go = ctx.sink->entry(key, value);
        return sc() && go;
      });
  finish_map(&w, &sc, ctx, info, m);
}

// The map's single value, to the sink.
void emit_value(ReadContext& ctx, std::span<const std::uint8_t> bytes) {
  ++ctx.stats.entries;
  ctx.sink->value(bytes);
}

// Below this a lookup costs less than mapping (three system calls).
constexpr std::uint32_t kMapValueBytes = std::uint32_t{64} << 10;

// The value of a 1-entry ARRAY (a global section is one): a large mmap-able
// one read through a mapping of the kernel's pages, any other by one lookup.
void read_single_value(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  if ((info.map_flags & BPF_F_MMAPABLE) && info.value_size >= kMapValueBytes) {
    std::unique_ptr<ValueBytes> view;
    if (ctx.src.map_value(info.id, info.value_size, &view) == 0) {
      emit_value(ctx, view->bytes());
      finish_map(nullptr, nullptr, ctx, info, m);
      return;
    }
  }
  RawBuffer buf(info.value_size);
  std::uint32_t key = 0;
  if (int rc = ctx.src.lookup(fd, &key, buf.data()); rc != 0) {
    m.error = fmt::format("lookup of key 0 failed: {}", std::strerror(-rc));
    return;
  }
  emit_value(ctx, buf.first(info.value_size));
  finish_map(nullptr, nullptr, ctx, info, m);
}

void read_array(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  if (!is_percpu_map(info.type) && info.max_entries == 1)
    return read_single_value(info, fd, ctx, m);
  read_entries(info, fd, ctx, m);
}

// Entries whose key is not the map's own key bytes (local storage keyed by
// an owner fd): ktstr's hash-entry shape, key = the owner as the host knows it.
struct OwnerEntries {
  ReadContext& ctx;
  void add(const RenderedValue& key, std::span<const std::uint8_t> key_bytes,
           std::span<const std::uint8_t> bytes) {
    ++ctx.stats.entries;
    ctx.sink->owner_entry(key, key_bytes, bytes);
  }
};

template <class T>
std::span<const std::uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const std::uint8_t*>(&v), sizeof v};
}

// A string as a char array (as BTF renders `char comm[16]`).
RenderedValue char_array(std::string_view s) {
  std::vector<RenderedValue> chars;
  chars.reserve(s.size());
  for (char c : s) chars.push_back(RenderedValue::make_char(static_cast<std::uint8_t>(c)));
  return RenderedValue::make_array(s.size(), std::move(chars));
}

// The first line of a small /proc file, or "" when it went away.
std::string first_line(KernelSource& src, const std::string& path) {
  std::string s;
  if (src.read_file(path, &s) != 0) return {};
  return s.substr(0, s.find('\n'));
}

bool is_number(std::string_view name) {
  return !name.empty() && std::isdigit(static_cast<unsigned char>(name[0]));
}

// TASK_STORAGE: every thread in /proc, looked up through a pidfd (lookups
// from user space change nothing). Key = struct task { pid, tgid, comm }:
// the owner as the host knows it (ktstr keys by the task's kernel address).
void read_task_storage(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  RawBuffer buf(info.value_size);
  OwnerEntries out{ctx};
  std::uint64_t visited = 0;
  bool capped = false, stopped = false;
  // An unreadable /proc is an error, never an empty map; a process or thread
  // that exits while it is listed is simply gone.
  const std::string& proc_root = ctx.host.proc;
  std::vector<DirEntry> procs;
  if (int rc = ctx.src.list_dir(proc_root, &procs); rc != 0) {
    m.error = fmt::format("cannot list the threads in {}: {}", proc_root, std::strerror(-rc));
    return;
  }
  for (const DirEntry& proc : procs) {
    if (!is_number(proc.name)) continue;
    const std::string proc_dir = proc_root + "/" + proc.name;
    std::vector<DirEntry> tasks;
    if (ctx.src.list_dir(proc_dir + "/task", &tasks) != 0) continue;  // exited meanwhile
    const std::int32_t tgid = std::atoi(proc.name.c_str());
    for (const DirEntry& task : tasks) {
      if (ctx.entry_cap && visited >= ctx.entry_cap) {
        capped = true;
        break;
      }
      if ((visited & 63) == 63 && ctx.stopped()) {
        stopped = true;
        break;
      }
      const std::int32_t tid = std::atoi(task.name.c_str());
      int rc = ctx.src.lookup_task(fd, tid, tgid, buf.data());
      if (rc == -ESRCH) continue;  // gone, or a thread this kernel cannot name
      ++visited;
      if (rc == -ENOENT) continue;  // no storage
      if (rc != 0) {
        m.error = fmt::format("task storage lookup for tid {} failed: {}", tid, std::strerror(-rc));
        return;
      }
      RenderedValue key = RenderedValue::make_struct(
          "task",
          {RenderedMember("pid", RenderedValue::make_int(32, tid)),
           RenderedMember("tgid", RenderedValue::make_int(32, tgid)),
           RenderedMember("comm", char_array(first_line(
                                      ctx.src, proc_dir + "/task/" + task.name + "/comm")))});
      out.add(key, bytes_of(tid), buf.first(info.value_size));
    }
    if (capped || stopped) break;
  }
  if (stopped) ctx.cut.stopped = true;
  finish_map(nullptr, nullptr, ctx, info, m);
  if (!m.error && capped)
    m.error = fmt::format("entry cap reached: looked at {} threads (--max-entries {})", visited,
                          ctx.entry_cap);
}

// The cgroup v2 hierarchy's mount point, from /proc/self/mountinfo.
std::string cgroup2_root(KernelSource& src) {
  std::string text;
  if (src.read_file("/proc/self/mountinfo", &text) != 0) return {};
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) continue;
    std::istringstream f(line);
    std::string id, parent, dev, root, mnt;
    f >> id >> parent >> dev >> root >> mnt;
    return mnt;
  }
  return {};
}

// CGRP_STORAGE: every cgroup of the v2 hierarchy, looked up through its
// directory's fd. Key = struct cgroup { id, path } (the directory's inode
// number, which is the kernel's cgroup id, and its path under the mount).
class CgroupWalk {
 public:
  CgroupWalk(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m, std::string root)
      : info_(info), fd_(fd), ctx_(ctx), m_(m), root_(std::move(root)), buf_(info.value_size) {}

  void run() {
    if (visit(root_, "/")) walk(root_, "");
    if (!m_.error && !walk_error_.empty())  // a walk cut short is said, not passed off as whole
      m_.error = fmt::format("cannot walk the cgroup hierarchy under {}: {} (after {} cgroups)",
                             root_, walk_error_, visited_);
  }
  std::uint64_t visited() const { return visited_; }

 private:
  // Pre-order, as the hierarchy is listed; false: stop.
  bool walk(const std::string& dir, const std::string& rel) {
    std::vector<DirEntry> entries;
    if (int rc = ctx_.src.list_dir(dir, &entries); rc != 0) {
      if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) return true;  // removed, or not ours
      walk_error_ = std::strerror(-rc);
      return false;
    }
    for (const DirEntry& e : entries) {
      if (!e.dir || e.symlink) continue;
      const std::string path = dir + "/" + e.name, child = rel + "/" + e.name;
      if (!visit(path, child) || !walk(path, child)) return false;
    }
    return true;
  }
  bool visit(const std::string& dir, const std::string& rel) {
    if (ctx_.entry_cap && visited_ >= ctx_.entry_cap) return false;
    std::uint64_t id = 0;
    if (int rc = ctx_.src.inode_of(dir, &id); rc != 0) {
      if (rc == -ENOENT) return true;  // removed meanwhile
      m_.error = fmt::format("cannot read the cgroup id of {}: {}", dir, std::strerror(-rc));
      return false;
    }
    int rc = ctx_.src.lookup_cgroup(fd_, dir, buf_.data());
    ++visited_;
    if (rc == -ENOENT) return true;  // no storage, or removed meanwhile
    if (rc != 0) {
      m_.error = fmt::format("cgroup storage lookup for {} failed: {}", dir, std::strerror(-rc));
      return false;
    }
    RenderedValue key = RenderedValue::make_struct(
        "cgroup", {RenderedMember("id", RenderedValue::make_uint(64, id)),
                   RenderedMember("path", char_array(rel))});
    OwnerEntries{ctx_}.add(key, bytes_of(id), buf_.first(info_.value_size));
    return !((visited_ & 63) == 63 && ctx_.stopped());
  }

  const MapInfo& info_;
  int fd_;
  ReadContext& ctx_;
  FailureDumpMap& m_;
  std::string root_;
  RawBuffer buf_;
  std::uint64_t visited_ = 0;
  std::string walk_error_;
};

void read_cgroup_storage(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  std::string root = cgroup2_root(ctx.src);
  if (root.empty()) {
    m.error = "no cgroup v2 hierarchy is mounted: cgroup storage cannot be looked up";
    return;
  }
  CgroupWalk walk(info, fd, ctx, m, root);
  walk.run();
  finish_map(nullptr, nullptr, ctx, info, m);
  if (!m.error && ctx.entry_cap && walk.visited() >= ctx.entry_cap)
    m.error = fmt::format("entry cap reached: looked at {} cgroups (--max-entries {})",
                          walk.visited(), ctx.entry_cap);
}

// QUEUE/STACK: a lookup without a key peeks at the head without popping it.
void read_queue_head(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  RawBuffer buf(std::max<std::uint32_t>(info.value_size, 1));
  const char* what = info.type == BPF_MAP_TYPE_STACK ? "stack" : "queue";
  int rc = ctx.src.lookup(fd, nullptr, buf.data());
  if (rc == -ENOENT) return;  // empty: no value, nothing missing
  if (rc != 0) {
    m.error = fmt::format("peeking at the {}'s head failed: {}", what, std::strerror(-rc));
    return;
  }
  emit_value(ctx, buf.first(info.value_size));
  m.error = fmt::format(
      "`value` is the {}'s head only: it is peeked, never popped, and the kernel gives no count",
      what);
}

// RINGBUF: the positions of its consumer and producer (nothing is consumed;
// the source maps it by id).
void read_ringbuf(const MapInfo& info, int /*fd*/, ReadContext& ctx, FailureDumpMap& m) {
  auto p = ctx.src.ringbuf_positions(info.id);
  if (!p) {
    m.error = p.error().message();
    return;
  }
  FailureDumpRingbuf rb;
  rb.capacity = info.max_entries;
  rb.consumer_pos = p->consumer;
  rb.producer_pos = p->producer;
  rb.pending_pos = p->pending;
  rb.pending_bytes = rb.producer_pos - rb.consumer_pos;
  m.ringbuf = rb;
}

void read_fd_array(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  FailureDumpFdArray fa;
  RawBuffer value(std::max<std::uint32_t>(info.value_size, 8));
  const bool of_maps =
      info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || info.type == BPF_MAP_TYPE_HASH_OF_MAPS;
  auto note = [&](std::uint32_t idx, bool ok, int err, std::uint32_t inner = 0) {
    if (ok) {
      ++fa.populated;
      if (fa.indices.size() < kIndicesCap) {
        fa.indices.push_back(idx);
        if (of_maps) fa.inner_map_ids.push_back(inner);  // a lookup returns the inner map's id
      } else {
        fa.indices_truncated = true;
      }
    } else if (err != ENOENT) {
      ++fa.unreadable;
    }
  };
  if (info.type == BPF_MAP_TYPE_HASH_OF_MAPS) {
    MapShape shape{fd, info.type, info.key_size, info.value_size, info.max_entries};
    WalkResult w =
        walk_entries(ctx.src, shape, kFdArrayScanCap, ctx.buffer_bytes, [&](auto key, auto val) {
          std::uint32_t k = 0, inner = 0;
          std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
          std::memcpy(&inner, val.data(), std::min<std::size_t>(4, val.size()));
          ++fa.scanned;
          note(k, true, 0, inner);
          return true;
        });
    fa.truncated = w.capped;
    if (!w.error.empty()) m.error = w.error;
  } else {
    std::uint32_t n = std::min(info.max_entries, kFdArrayScanCap);
    for (std::uint32_t i = 0; i < n; ++i) {
      int rc = ctx.src.lookup(fd, &i, value.data());
      std::uint32_t inner = 0;
      if (rc == 0) std::memcpy(&inner, value.data(), 4);
      note(i, rc == 0, -rc, inner);
      ++fa.scanned;
      if ((i & 1023) == 1023 && ctx.stopped()) break;
    }
    fa.truncated = fa.scanned < info.max_entries;
    if (fa.unreadable == fa.scanned && fa.scanned > 0)
      m.error =
          fmt::format("{} slots cannot be read from user space (the kernel has no lookup for them)",
                      map_type_name(info.type));
  }
  m.fd_array = fa;
}

void read_stack_trace(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  FailureDumpStackTrace st;
  st.n_buckets = info.max_entries;
  MapShape shape{fd, info.type, info.key_size, info.value_size, info.max_entries};
  WalkResult w =
      walk_entries(ctx.src, shape, kStackTraceCap, ctx.buffer_bytes, [&](auto key, auto value) {
        FailureDumpStackTraceEntry e;
        std::memcpy(&e.bucket_id, key.data(), std::min<std::size_t>(4, key.size()));
        for (std::size_t off = 0; off + 8 <= value.size(); off += 8) {
          std::uint64_t pc;
          std::memcpy(&pc, value.data() + off, 8);
          if (pc == 0) break;
          e.pcs.push_back(pc);
        }
        e.nr = static_cast<std::uint32_t>(e.pcs.size());
        e.data_hex = hex_bytes(value.subspan(0, e.pcs.size() * 8));
        st.entries.push_back(std::move(e));
        return true;
      });
  st.truncated = w.capped;
  if (!w.error.empty()) m.error = w.error;
  m.stack_trace = std::move(st);
}

void read_struct_ops(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out) {
  FailureDumpMap& m = out.map;
  std::vector<std::uint8_t> buf(info.value_size);
  std::uint32_t key = 0;
  if (int rc = ctx.src.lookup(fd, &key, buf.data()); rc != 0) {
    m.error = fmt::format("lookup of the struct_ops value failed: {}", std::strerror(-rc));
    return;
  }
  auto r = ctx.btfs.vmlinux();
  if (!r) {
    m.error = r.error().message();
    return;
  }
  if (const struct btf* vm = ctx.btfs.vmlinux_btf()) {
    const struct btf_type* t = btf__type_by_id(vm, info.btf_vmlinux_value_type_id);
    if (t) out.struct_ops_type = btf__name_by_offset(vm, t->name_off);
    // struct bpf_struct_ops_<name> keeps its state before the ops; where, and
    // what "in use" is, vmlinux BTF says.
    if (auto st = struct_ops_state(vm, info.btf_vmlinux_value_type_id);
        st && st->offset + 4 <= buf.size()) {
      std::uint32_t state = 0;
      std::memcpy(&state, buf.data() + st->offset, sizeof state);
      out.struct_ops_in_use = state == st->in_use;
    }
  }
  // Rendered here for the program ids only: the sink renders the value.
  auto v = (*r)->render(info.btf_vmlinux_value_type_id, buf);
  if (!v) {
    m.error = v.error().message();
    return;
  }
  // From user space the kernel reports program ids in the function-pointer
  // slots of `data`.
  if (const RenderedValue* data = v->get("data")) {
    for (const auto& mem : data->members())
      if (mem.value.kind() == ValueKind::Ptr && mem.value.uint_value() != 0 &&
          mem.value.uint_value() < (1ull << 32))
        out.struct_ops_prog_ids.push_back(static_cast<std::uint32_t>(mem.value.uint_value()));
  }
  ctx.sink->value(buf);
}

void refuse_fd_keyed_storage(const MapInfo& info, int /*fd*/, ReadContext& /*ctx*/,
                             FailureDumpMap& m) {
  m.error = fmt::format(
      "{} is keyed by a socket or inode fd: scxsnap does not walk every socket or file of the "
      "host to look them up",
      map_type_name(info.type));
}

using Reader = void (*)(const MapInfo&, int, ReadContext&, CapturedMap&);
template <void (*Read)(const MapInfo&, int, ReadContext&, FailureDumpMap&)>
void on_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out) {
  Read(info, fd, ctx, out.map);
}

using native::Shape;

// One row per map type capture reads: its reader, how its raw contents are
// laid out (native snapshots and streaming; an ARRAY of one entry is a
// Value), and whether its readers look a u32 index (or an fd) up, for which
// the kernel's key size is 4.
struct MapKind {
  std::uint32_t type;
  Reader read;
  Shape shape;
  bool u32_key;
};

constexpr MapKind kMapKinds[] = {
    {BPF_MAP_TYPE_ARRAY, on_map<read_array>, Shape::ArrayEntries, true},
    {BPF_MAP_TYPE_PERCPU_ARRAY, on_map<read_array>, Shape::PercpuEntries, true},
    {BPF_MAP_TYPE_HASH, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_LRU_HASH, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_LPM_TRIE, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_DEVMAP, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_DEVMAP_HASH, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_CPUMAP, on_map<read_entries>, Shape::Entries, false},
    {BPF_MAP_TYPE_PERCPU_HASH, on_map<read_entries>, Shape::PercpuHashEntries, false},
    {BPF_MAP_TYPE_LRU_PERCPU_HASH, on_map<read_entries>, Shape::PercpuHashEntries, false},
    {BPF_MAP_TYPE_RINGBUF, on_map<read_ringbuf>, Shape::None, false},
    {BPF_MAP_TYPE_USER_RINGBUF, on_map<read_ringbuf>, Shape::None, false},
    {BPF_MAP_TYPE_PROG_ARRAY, on_map<read_fd_array>, Shape::None, true},
    {BPF_MAP_TYPE_PERF_EVENT_ARRAY, on_map<read_fd_array>, Shape::None, true},
    {BPF_MAP_TYPE_CGROUP_ARRAY, on_map<read_fd_array>, Shape::None, true},
    {BPF_MAP_TYPE_ARRAY_OF_MAPS, on_map<read_fd_array>, Shape::None, true},
    {BPF_MAP_TYPE_HASH_OF_MAPS, on_map<read_fd_array>, Shape::None, false},
    {BPF_MAP_TYPE_STACK_TRACE, on_map<read_stack_trace>, Shape::None, false},
    {BPF_MAP_TYPE_TASK_STORAGE, on_map<read_task_storage>, Shape::OwnerEntries, true},
    {kMapTypeCgrpStorage, on_map<read_cgroup_storage>, Shape::OwnerEntries, true},
    {BPF_MAP_TYPE_QUEUE, on_map<read_queue_head>, Shape::Value, false},
    {BPF_MAP_TYPE_STACK, on_map<read_queue_head>, Shape::Value, false},
    {BPF_MAP_TYPE_SK_STORAGE, on_map<refuse_fd_keyed_storage>, Shape::None, false},
    {BPF_MAP_TYPE_INODE_STORAGE, on_map<refuse_fd_keyed_storage>, Shape::None, false},
    {BPF_MAP_TYPE_STRUCT_OPS, read_struct_ops, Shape::Value, true},
    {kMapTypeArena, on_map<read_arena>, Shape::ArenaPages, false},
};

const MapKind* kind_of(std::uint32_t type) {
  for (const MapKind& k : kMapKinds)
    if (k.type == type) return &k;
  return nullptr;
}

}  // namespace

void init_map(const MapInfo& info, FailureDumpMap& m) {
  m.name = info.name;
  m.map_id = info.id;
  m.btf_id = info.btf_id;
  m.map_type = info.type;
  m.value_size = info.value_size;
  m.max_entries = info.max_entries;
}

MapInfo to_map_info(const bpf_map_info& raw) {
  MapInfo i;
  i.id = raw.id;
  i.type = raw.type;
  i.key_size = raw.key_size;
  i.value_size = raw.value_size;
  i.max_entries = raw.max_entries;
  i.map_flags = raw.map_flags;
  i.btf_id = raw.btf_id;
  i.btf_key_type_id = raw.btf_key_type_id;
  i.btf_value_type_id = raw.btf_value_type_id;
  i.btf_vmlinux_value_type_id = raw.btf_vmlinux_value_type_id;
  i.map_extra = raw.map_extra;
  i.name = std::string(raw.name, strnlen(raw.name, sizeof raw.name));
  return i;
}

native::Shape content_shape(const MapInfo& info) {
  const MapKind* k = kind_of(info.type);
  if (!k) return Shape::None;
  return info.type == BPF_MAP_TYPE_ARRAY && info.max_entries == 1 ? Shape::Value : k->shape;
}

bool streams_contents(const MapInfo& info) {
  // A struct_ops value is rendered into the model (the active object is
  // found through it), an arena is read ahead of every other map (pointers
  // into it are followed); every other shape streams.
  return info.type != BPF_MAP_TYPE_STRUCT_OPS && info.type != kMapTypeArena &&
         content_shape(info) != native::Shape::None;
}

void read_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out) {
  FailureDumpMap& m = out.map;
  init_map(info, m);
  ctx.cut = {};
  ctx.sink->begin_map(info, m);
  const MapKind* k = kind_of(info.type);
  if (!k) {
    m.error = fmt::format(
        "map type {} has no read path in scxsnap (its keys cannot be walked from user space "
        "without side effects)",
        map_type_name(info.type));
    return;
  }
  // A source that says otherwise of an index-keyed map (a tape) is not believed.
  if (k->u32_key && info.key_size != 4) {
    m.error = fmt::format("the kernel gave this {} {}-byte keys where it has 4-byte keys: not read",
                          map_type_name(info.type), info.key_size);
    return;
  }
  k->read(info, fd, ctx, out);
}

}  // namespace scxsnap::capture_detail
