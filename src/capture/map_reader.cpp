// SPDX-License-Identifier: Apache-2.0
#include "map_reader.hpp"

#include "map_iter.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

constexpr std::uint32_t kFdArrayScanCap = 65536;
constexpr std::uint32_t kIndicesCap = 1024;
constexpr std::uint32_t kStackTraceCap = 1024;

std::size_t percpu_stride(std::uint32_t value_size) {
  return (std::size_t{value_size} + 7) / 8 * 8;
}

// Bytes one lookup returns: the value, or one 8-byte-aligned slot per possible CPU.
std::uint32_t lookup_size(const MapInfo& info, const ReadContext& ctx, bool percpu) {
  return percpu ? static_cast<std::uint32_t>(percpu_stride(info.value_size) * ctx.ncpus)
                : info.value_size;
}

// Rendering helpers: nullopt when there is no BTF type for that side.
struct Renderers {
  BtfRenderer* r = nullptr;
  std::uint32_t key_type = 0, value_type = 0;
  std::string note;  // why rendering is unavailable, if it is

  std::optional<RenderedValue> key(std::span<const std::uint8_t> b) const {
    return render(key_type, b);
  }
  std::optional<RenderedValue> value(std::span<const std::uint8_t> b) const {
    return render(value_type, b);
  }
  std::optional<RenderedValue> render(std::uint32_t t, std::span<const std::uint8_t> b) const {
    if (!r || t == 0) return std::nullopt;
    auto v = r->render(t, b);
    if (!v) return RenderedValue::make_unsupported(v.error().message());
    return std::move(*v);
  }
  // Appends `"name":<json>,` when there is a type; nothing otherwise.
  void json_member(std::string& out, std::string_view name, std::uint32_t t,
                   std::span<const std::uint8_t> b) const {
    if (!r || t == 0) return;
    out += '"';
    out += name;
    out += "\":";
    std::size_t mark = out.size();
    if (!r->render_json(t, b, out)) {
      out.resize(mark);
      out += "{\"kind\":\"unsupported\",\"reason\":\"render failed\"}";
    }
    out += ',';
  }
};

Renderers renderers_for(const MapInfo& info, ReadContext& ctx) {
  Renderers rs;
  if (info.btf_id == 0) {
    rs.note = "map has no BTF";
    return rs;
  }
  auto r = ctx.btfs.by_id(info.btf_id);
  if (!r) {
    rs.note = r.error().message();
    return rs;
  }
  rs.r = *r;
  rs.key_type = info.btf_key_type_id;
  rs.value_type = info.btf_value_type_id;
  return rs;
}

std::string cap_note(const ReadContext& ctx, std::uint64_t visited, std::uint32_t max_entries) {
  return fmt::format("entry cap reached: captured {} of up to {} entries (--max-entries {})",
                     visited, max_entries, ctx.entry_cap);
}

// Every 1024 entries, ask the deadline; stop the walk when it passed.
struct DeadlineCheck {
  ReadContext& ctx;
  std::uint64_t n = 0;
  bool hit = false;
  bool operator()() {
    if ((++n & 1023) == 0 && ctx.out_of_time && ctx.out_of_time()) hit = true;
    return !hit;
  }
};

void finish_walk(const WalkResult& w, const DeadlineCheck& dl, const ReadContext& ctx,
                 const MapInfo& info, FailureDumpMap& m) {
  if (!w.error.empty())
    m.error = w.error;
  else if (dl.hit)
    m.error = fmt::format("capture deadline reached after {} entries", w.visited);
  else if (w.capped)
    m.error = cap_note(ctx, w.visited, info.max_entries);
}

void read_hash(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out, bool percpu) {
  FailureDumpMap& m = out.map;
  Renderers rs = renderers_for(info, ctx);
  std::uint32_t vsize = lookup_size(info, ctx, percpu);
  MapShape shape{fd, info.type, info.key_size, vsize, info.max_entries};
  DeadlineCheck dl{ctx};
  std::string* js = ctx.stream_out;
  std::size_t mark = js ? js->size() : 0;
  if (js) *js += percpu ? ",\"percpu_hash_entries\":[" : ",\"entries\":[";
  bool first = true;
  WalkResult w = walk_entries(shape, ctx.entry_cap, [&](auto key, auto value) {
    if (js) {
      std::size_t before = js->size();
      if (!first) *js += ',';
      *js += '{';
      rs.json_member(*js, "key", rs.key_type, key);
      *js += "\"key_hex\":\"";
      append_hex_bytes(*js, key);
      *js += "\",";
      if (percpu) {
        *js += "\"per_cpu\":[";
        auto slots = split_percpu(value, info.value_size, ctx.ncpus);
        for (std::size_t c = 0; c < slots.size(); ++c) {
          if (c) *js += ',';
          if (!rs.r || !rs.value_type || !rs.r->render_json(rs.value_type, slots[c], *js))
            *js += "null";
        }
        *js += "]}";
      } else {
        rs.json_member(*js, "value", rs.value_type, value);
        *js += "\"value_hex\":\"";
        append_hex_bytes(*js, value);
        *js += "\"}";
      }
      if (first) {
        // Size the buffer once from the first entry instead of growing it
        // by doubling (each regrowth copies everything written so far).
        std::size_t per = js->size() - before + 1;
        std::size_t want = std::min<std::size_t>(per * info.max_entries, std::size_t{1} << 30);
        js->reserve(js->size() + want);
      }
      first = false;
      return dl();
    }
    if (percpu) {
      FailureDumpPercpuHashEntry e;
      e.key = rs.key(key);
      e.key_hex = hex_bytes(key);
      for (auto slot : split_percpu(value, info.value_size, ctx.ncpus))
        e.per_cpu.push_back(rs.value(slot));
      m.percpu_hash_entries.push_back(std::move(e));
    } else {
      FailureDumpEntry e;
      e.key = rs.key(key);
      e.key_hex = hex_bytes(key);
      e.value = rs.value(value);
      e.value_hex = hex_bytes(value);
      m.entries.push_back(std::move(e));
    }
    return dl();
  });
  if (js) {
    if (first)
      js->resize(mark);  // no entries: skipped, as ktstr skips empty vectors
    else
      *js += ']';
  }
  finish_walk(w, dl, ctx, info, m);
}

void read_array(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out, bool percpu) {
  FailureDumpMap& m = out.map;
  Renderers rs = renderers_for(info, ctx);
  std::uint32_t vsize = lookup_size(info, ctx, percpu);
  if (!percpu && info.max_entries == 1) {
    std::vector<std::uint8_t> buf(vsize);
    std::uint32_t key = 0;
    if (bpf_map_lookup_elem(fd, &key, buf.data()) != 0) {
      m.error = fmt::format("lookup of key 0 failed: {}", std::strerror(errno));
      return;
    }
    m.value = rs.value(buf);
    if (!m.value) m.value = RenderedValue::make_bytes(hex_bytes(buf));  // no BTF: the bytes
    return;
  }
  MapShape shape{fd, info.type, info.key_size, vsize, info.max_entries};
  DeadlineCheck dl{ctx};
  WalkResult w = walk_entries(shape, ctx.entry_cap, [&](auto key, auto value) {
    std::uint32_t k = 0;
    std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
    if (percpu) {
      FailureDumpPercpuEntry e;
      e.key = k;
      for (auto slot : split_percpu(value, info.value_size, ctx.ncpus)) {
        auto v = rs.value(slot);
        e.per_cpu.push_back(
            v ? std::move(v)
              : std::optional<RenderedValue>(RenderedValue::make_bytes(hex_bytes(slot))));
      }
      m.percpu_entries.push_back(std::move(e));
    } else {
      auto v = rs.value(value);
      m.array_entries.push_back(
          FailureDumpArrayEntry{k, v ? std::move(v) : RenderedValue::make_bytes(hex_bytes(value))});
    }
    return dl();
  });
  finish_walk(w, dl, ctx, info, m);
}

void read_ringbuf(const MapInfo& info, FailureDumpMap& m) {
  long page = ::sysconf(_SC_PAGESIZE);
  // mmap turns MAP_SHARED of a read-only fd into a private mapping, which BPF
  // refuses; so this one map is opened read-write. The pages are mapped
  // PROT_READ: nothing is written.
  int fd = bpf_map_get_fd_by_id(info.id);
  if (fd < 0) {
    m.error = fmt::format("cannot open the ring buffer: {}", std::strerror(errno));
    return;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // Read-only mappings of the consumer and producer pages: positions only.
  void* cons = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ, MAP_SHARED, fd, 0);
  if (cons == MAP_FAILED) {
    m.error = fmt::format("cannot map the ring buffer's consumer page: {}", std::strerror(errno));
    return;
  }
  void* prod = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ, MAP_SHARED, fd, page);
  if (prod == MAP_FAILED) {
    m.error = fmt::format("cannot map the ring buffer's producer page: {}", std::strerror(errno));
    ::munmap(cons, static_cast<std::size_t>(page));
    return;
  }
  FailureDumpRingbuf rb;
  rb.capacity = info.max_entries;
  rb.consumer_pos = __atomic_load_n(static_cast<const std::uint64_t*>(cons), __ATOMIC_ACQUIRE);
  rb.producer_pos = __atomic_load_n(static_cast<const std::uint64_t*>(prod), __ATOMIC_ACQUIRE);
  // pending_pos follows producer_pos on the producer page (Linux 6.8+).
  rb.pending_pos = __atomic_load_n(static_cast<const std::uint64_t*>(prod) + 1, __ATOMIC_ACQUIRE);
  rb.pending_bytes = rb.producer_pos - rb.consumer_pos;
  m.ringbuf = rb;
  ::munmap(cons, static_cast<std::size_t>(page));
  ::munmap(prod, static_cast<std::size_t>(page));
}

void read_fd_array(const MapInfo& info, int fd, ReadContext& ctx, FailureDumpMap& m) {
  FailureDumpFdArray fa;
  std::vector<std::uint8_t> value(std::max<std::uint32_t>(info.value_size, 8));
  auto note = [&](std::uint32_t idx, bool ok, int err) {
    if (ok) {
      ++fa.populated;
      if (fa.indices.size() < kIndicesCap)
        fa.indices.push_back(idx);
      else
        fa.indices_truncated = true;
    } else if (err != ENOENT) {
      ++fa.unreadable;
    }
  };
  if (info.type == BPF_MAP_TYPE_HASH_OF_MAPS) {
    MapShape shape{fd, info.type, info.key_size, info.value_size, info.max_entries};
    WalkResult w = walk_entries(shape, kFdArrayScanCap, [&](auto key, auto) {
      std::uint32_t k = 0;
      std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
      ++fa.scanned;
      note(k, true, 0);
      return true;
    });
    fa.truncated = w.capped;
    if (!w.error.empty()) m.error = w.error;
  } else {
    std::uint32_t n = std::min(info.max_entries, kFdArrayScanCap);
    for (std::uint32_t i = 0; i < n; ++i) {
      int rc = bpf_map_lookup_elem(fd, &i, value.data());
      note(i, rc == 0, rc == 0 ? 0 : errno);
      ++fa.scanned;
      if ((i & 1023) == 1023 && ctx.out_of_time && ctx.out_of_time()) break;
    }
    fa.truncated = fa.scanned < info.max_entries;
    if (fa.unreadable == fa.scanned && fa.scanned > 0)
      m.error =
          fmt::format("{} slots cannot be read from user space (the kernel has no lookup for them)",
                      map_type_name(info.type));
  }
  m.fd_array = fa;
}

void read_stack_trace(const MapInfo& info, int fd, FailureDumpMap& m) {
  FailureDumpStackTrace st;
  st.n_buckets = info.max_entries;
  MapShape shape{fd, info.type, info.key_size, info.value_size, info.max_entries};
  WalkResult w = walk_entries(shape, kStackTraceCap, [&](auto key, auto value) {
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
  if (bpf_map_lookup_elem(fd, &key, buf.data()) != 0) {
    m.error = fmt::format("lookup of the struct_ops value failed: {}", std::strerror(errno));
    return;
  }
  // struct bpf_struct_ops_<name> { refcount_t refcnt; enum bpf_struct_ops_state state; ... data }
  if (buf.size() >= 8) std::memcpy(&out.struct_ops_state, buf.data() + 4, 4);
  auto r = ctx.btfs.vmlinux();
  if (!r) {
    m.error = r.error().message();
    return;
  }
  if (const struct btf* vm = ctx.btfs.vmlinux_btf()) {
    const struct btf_type* t = btf__type_by_id(vm, info.btf_vmlinux_value_type_id);
    if (t) out.struct_ops_type = btf__name_by_offset(vm, t->name_off);
  }
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
  m.value = std::move(*v);
}

}  // namespace

void init_map(const MapInfo& info, FailureDumpMap& m) {
  m.name = info.name;
  m.map_id = info.id;
  m.map_type = info.type;
  m.value_size = info.value_size;
  m.max_entries = info.max_entries;
}

bool streams_entries(std::uint32_t t) {
  switch (t) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
    case BPF_MAP_TYPE_CPUMAP:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      return true;
    default:
      return false;
  }
}

void read_map(const MapInfo& info, int fd, ReadContext& ctx, CapturedMap& out) {
  FailureDumpMap& m = out.map;
  init_map(info, m);
  switch (info.type) {
    case BPF_MAP_TYPE_ARRAY:
      read_array(info, fd, ctx, out, false);
      break;
    case BPF_MAP_TYPE_PERCPU_ARRAY:
      read_array(info, fd, ctx, out, true);
      break;
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
    case BPF_MAP_TYPE_CPUMAP:
      read_hash(info, fd, ctx, out, false);
      break;
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      read_hash(info, fd, ctx, out, true);
      break;
    case BPF_MAP_TYPE_RINGBUF:
    case BPF_MAP_TYPE_USER_RINGBUF:
      read_ringbuf(info, m);
      break;
    case BPF_MAP_TYPE_PROG_ARRAY:
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case BPF_MAP_TYPE_CGROUP_ARRAY:
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
      read_fd_array(info, fd, ctx, m);
      break;
    case BPF_MAP_TYPE_STACK_TRACE:
      read_stack_trace(info, fd, m);
      break;
    case BPF_MAP_TYPE_STRUCT_OPS:
      read_struct_ops(info, fd, ctx, out);
      break;
    case 33: {  // BPF_MAP_TYPE_ARENA (newer than these uapi headers)
      ArenaSnapshot a;
      a.declared_pages = info.max_entries;
      a.user_vm_start = info.map_extra;
      m.arena = a;
      m.error =
          "arena pages are not captured on a live host: mapping a live arena from another process "
          "would fault "
          "pages into it, which writes to the kernel";
      break;
    }
    default:
      m.error = fmt::format(
          "map type {} has no read path in scxsnap (its keys cannot be walked from user space "
          "without side effects)",
          map_type_name(info.type));
  }
}

}  // namespace scxsnap::capture_detail
