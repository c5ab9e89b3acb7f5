// SPDX-License-Identifier: Apache-2.0
#include "native_render.hpp"

#include "report/report_writer.hpp"
#include "report/threads.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <thread>

namespace scxsnap::native {
namespace {

using map_contents::Bytes;
using map_contents::CutLog;

constexpr std::size_t kFlushAt = std::size_t{4} << 20;

bool is_array(Shape s) {
  return s == Shape::ArrayEntries || s == Shape::PercpuEntries;
}
bool is_percpu(Shape s) {
  return s == Shape::PercpuEntries || s == Shape::PercpuHashEntries;
}

// A name in the file's BTF ("" when the offset is outside its strings).
std::string_view name_at(const struct btf* b, std::uint32_t off) {
  const char* s = btf__name_by_offset(b, off);
  return s ? s : "";
}

std::uint32_t get_u32(Bytes b, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// One record of any shape, parsed out of a frame.
struct Record {
  Bytes key, value;
  std::string_view key_json;  // owner entries
};

// Calls fn(record) for every record of map i, and frame_done() after each
// frame's last; errors name the frame and offset.
Result<void> for_each_record(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                             const std::function<Result<void>(const Record&)>& fn,
                             const std::function<Result<void>()>& frame_done = {}) {
  const MapIndex& m = f.maps()[i];
  return f.for_each_frame(i, [&](Bytes raw, const Frame& fr) -> Result<void> {
    auto bad = [&](std::size_t at, std::string_view what) {
      return Error(ErrorCode::BadInput,
                   fmt::format("{} ({}): frame at data offset {}, record at raw offset {}: {}",
                               f.where(i), skel.name, fr.offset, fr.raw_offset + at, what));
    };
    std::size_t at = 0;
    for (std::uint64_t r = 0; r < fr.records; ++r) {
      Record rec;
      if (m.shape == Shape::OwnerEntries) {
        if (raw.size() - at < 4) return bad(at, "truncated key length");
        std::uint32_t n = get_u32(raw, at);
        if (raw.size() - at - 4 < n) return bad(at, "key text past the frame");
        rec.key_json = {reinterpret_cast<const char*>(raw.data() + at + 4), n};
        // Written verbatim into the JSON: it must be a rendered value.
        if (auto k = parse_rendered_value(rec.key_json); !k)
          return bad(at, "the owner key is not a rendered value: " + k.error().message());
        at += 4 + n;
        if (raw.size() - at < 4) return bad(at, "truncated key length");
        std::uint32_t kn = get_u32(raw, at);
        if (raw.size() - at - 4 < std::uint64_t{kn} + skel.value_size)
          return bad(at, "key or value past the frame");
        rec.key = raw.subspan(at + 4, kn);
        rec.value = raw.subspan(at + 4 + kn, skel.value_size);
        at += 4 + kn + skel.value_size;
      } else {
        if (m.record_size == 0 || m.key_size > m.record_size || raw.size() - at < m.record_size)
          return bad(at, fmt::format("a record of {} bytes (key {}) does not fit the frame",
                                     m.record_size, m.key_size));
        rec.key = raw.subspan(at, m.key_size);
        rec.value = raw.subspan(at + m.key_size, m.record_size - m.key_size);
        at += m.record_size;
      }
      SCXSNAP_TRY_VOID(fn(rec));
    }
    if (at != raw.size()) return bad(at, "bytes left after the frame's last record");
    return frame_done ? frame_done() : Result<void>{};
  });
}

// Every frame of map i parsed into `recs` (spans into the frame), then fn().
Result<void> for_each_frame_records(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                                    std::vector<Record>& recs,
                                    const std::function<Result<void>()>& fn) {
  recs.clear();
  return for_each_record(
      f, i, skel,
      [&](const Record& r) -> Result<void> {
        recs.push_back(r);
        return {};
      },
      [&]() -> Result<void> {
        Result<void> out = recs.empty() ? Result<void>{} : fn();
        recs.clear();
        return out;
      });
}

Result<std::vector<std::uint8_t>> whole_value(const NativeFile& f, std::size_t i) {
  return f.value_range(i, 0, f.maps()[i].raw_size);
}

struct Setup {
  map_contents::Renderers rs;
  map_contents::EntryFormat format;
};

Result<Setup> setup(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                    const RenderSettings& s) {
  const MapIndex& m = f.maps()[i];
  Setup st;
  if (m.key_type || m.value_type) {
    SCXSNAP_TRY(BtfRenderer * r, f.renderer(s.max_array_elements));
    st.rs.key = {r, m.key_type};
    st.rs.value = {r, m.value_type};
  }
  RenderLimits lim;
  lim.max_value_bytes = s.max_value_bytes;
  lim.follow_pointer = s.follow;
  const bool percpu = is_percpu(m.shape);
  st.format = {nullptr,
               skel.value_size,
               f.index().ncpus,
               percpu,
               lim,
               percpu ? map_contents::slot_limits(lim, f.index().ncpus) : lim};
  return st;
}

std::uint32_t array_key(Bytes key) {
  std::uint32_t k = 0;
  std::memcpy(&k, key.data(), std::min<std::size_t>(4, key.size()));
  return k;
}

void finish_error(FailureDumpMap& m, const CutLog& cut, const RenderSettings& s) {
  if (m.error) return;
  if (std::string e = map_contents::cut_error(cut, s.max_value_bytes); !e.empty()) m.error = e;
}

// One chunk of records rendered as list elements (comma-separated) into `out`.
void render_chunk(Shape shape, std::span<const Record> recs, const map_contents::EntryFormat& fmt,
                  std::string& out, CutLog& cut) {
  for (std::size_t k = 0; k < recs.size(); ++k) {
    if (k) out += ',';
    const Record& r = recs[k];
    if (shape == Shape::OwnerEntries)
      map_contents::owner_entry_json(out, r.key_json, r.key, r.value, fmt, cut);
    else if (is_array(shape))
      map_contents::array_entry_json(out, array_key(r.key), r.value, fmt, cut);
    else
      map_contents::hash_entry_json(out, r.key, r.value, fmt, cut);
  }
}

// A map's list elements, rendered by up to kThreads threads a frame at a time:
// each frame's records are cut into chunks of about 256 KiB of raw bytes,
// rendered side by side (each thread with its own renderer) and written in
// order, so the JSON is the one a single thread writes and memory stays at a
// few chunks of text.
constexpr unsigned kMaxThreads = 8;
constexpr std::size_t kChunkRaw = std::size_t{256} << 10;

Result<void> write_entries_parallel(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                                    const Setup& st, const RenderSettings& s, std::string& buf,
                                    const std::function<Result<void>()>& flush, CutLog& cut) {
  const MapIndex& m = f.maps()[i];
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  // Per thread: renderers (plans are cached per renderer), a format, a cut log.
  std::vector<std::unique_ptr<BtfRenderer>> own;
  std::vector<map_contents::Renderers> rs(threads, st.rs);
  for (unsigned t = 1; t < threads && (m.key_type || m.value_type); ++t) {
    own.push_back(std::make_unique<BtfRenderer>(f.btf(), s.max_array_elements));
    rs[t].key.r = rs[t].key.type ? own.back().get() : nullptr;
    rs[t].value.r = rs[t].value.type ? own.back().get() : nullptr;
  }
  std::vector<map_contents::EntryFormat> fmts(threads, st.format);
  for (unsigned t = 0; t < threads; ++t) fmts[t].rs = &rs[t];
  std::vector<CutLog> cuts(threads);
  std::vector<std::string> outs(threads);
  std::vector<Record> recs;
  bool first = true;
  SCXSNAP_TRY_VOID(for_each_frame_records(f, i, skel, recs, [&]() -> Result<void> {
    const std::size_t per = std::max<std::size_t>(
        1, kChunkRaw / std::max<std::size_t>(1, recs.empty() ? 1 : recs[0].value.size() + 16));
    for (std::size_t at = 0; at < recs.size();) {
      unsigned used = 0;
      std::size_t starts[kMaxThreads], ends[kMaxThreads];
      for (; used < threads && at < recs.size(); ++used) {
        starts[used] = at;
        ends[used] = std::min(recs.size(), at + per);
        at = ends[used];
      }
      // A chunk's out-of-memory comes back here (and out of the public call
      // as an error value), never out of its thread.
      detail::run_parallel(used, [&](unsigned t) {
        detail::fault_point("render chunk");
        outs[t].clear();
        render_chunk(m.shape, std::span(recs).subspan(starts[t], ends[t] - starts[t]), fmts[t],
                     outs[t], cuts[t]);
      });
      for (unsigned t = 0; t < used; ++t) {
        if (!first) buf += ',';
        first = false;
        buf += outs[t];
        if (buf.size() >= kFlushAt) SCXSNAP_TRY_VOID(flush());
      }
    }
    return {};
  }));
  for (const CutLog& c : cuts) {
    cut.values += c.values;
    if (c.needed >= cut.needed) {
      cut.needed = c.needed;
      cut.had = c.had;
    }
  }
  return {};
}
}  // namespace

// An arena's pages, from its records (u64 user address ++ page).
Result<void> read_arena_pages(const NativeFile& f, std::size_t i, FailureDumpMap& out) {
  if (!out.arena) out.arena.emplace();
  out.arena->pages.clear();
  return for_each_record(f, i, out, [&](const Record& r) -> Result<void> {
    ArenaPage p;
    std::memcpy(&p.user_addr, r.key.data(), std::min<std::size_t>(8, r.key.size()));
    p.bytes.assign(r.value.begin(), r.value.end());
    out.arena->pages.push_back(std::move(p));
    return {};
  });
}

Result<RenderSettings> settings_of(const NativeFile& f, const FailureDumpReport& skeleton) {
  const Index& x = f.index();
  RenderSettings s{x.max_value_bytes, x.max_array_elements, {}, {}};
  // Pointers are followed into every arena: the ones stored as records are
  // read first (their raw pages, held once), the ones a skeleton carries whole
  // are used where they are.
  auto arenas = std::make_shared<std::vector<FailureDumpMap>>();
  std::vector<const ArenaSnapshot*> views;
  for (std::size_t i = 0; i < skeleton.maps.size() && i < f.maps().size(); ++i) {
    if (f.maps()[i].shape == Shape::ArenaPages) {
      arenas->push_back(skeleton.maps[i]);
      SCXSNAP_TRY_VOID(read_arena_pages(f, i, arenas->back()));
    } else if (skeleton.maps[i].arena) {
      views.push_back(&*skeleton.maps[i].arena);
    }
  }
  for (const auto& m : *arenas) views.push_back(&*m.arena);
  s.follow = arena_pointers::follower(views);
  s.arenas = std::move(arenas);
  return s;
}

Result<void> write_map_json(const NativeFile& f, std::size_t i, const FailureDumpMap& skel,
                            const RenderSettings& s, detail::JsonWriter& w, std::string& buf,
                            const std::function<Result<void>()>& flush, CutLog& cut) {
  const MapIndex& m = f.maps()[i];
  CutLog map_cut;
  if (m.shape == Shape::ArenaPages) {
    // Its pages (raw-sized) into a copy of the skeleton, written a page at a
    // time: never the whole JSON in memory.
    FailureDumpMap full = skel;
    SCXSNAP_TRY_VOID(read_arena_pages(f, i, full));
    Result<void> flushed;
    detail::write_map_paged(w, full, [&](detail::JsonWriter&) {
      if (flushed && buf.size() >= kFlushAt) flushed = flush();
    });
    return flushed;
  }
  w.begin_object();
  detail::write_map_head(w, skel);
  if (m.shape == Shape::Value && m.records) {
    SCXSNAP_TRY(Setup st, setup(f, i, skel, s));
    SCXSNAP_TRY(std::vector<std::uint8_t> v, whole_value(f, i));
    // The value's JSON goes out as it is rendered (an uncut 136 MiB .bss is
    // about 1 GB of it): memory stays the raw value and a megabyte of text.
    Result<void> flushed;
    RenderLimits lim = st.format.lim;
    lim.flush_at = kFlushAt;
    lim.flush = [&](std::string&) {
      if (flushed) flushed = flush();
    };
    map_contents::value_json(buf, v, st.rs.value, lim, map_cut);
    SCXSNAP_TRY_VOID(flushed);
  } else if (m.shape != Shape::None && m.shape != Shape::Value && m.records) {
    SCXSNAP_TRY(Setup st, setup(f, i, skel, s));
    const std::string_view name =
        m.shape == Shape::OwnerEntries
            ? std::string_view("entries")
            : map_contents::list_name(is_array(m.shape), is_percpu(m.shape));
    buf += ",\"";
    buf += name;
    buf += "\":[";
    SCXSNAP_TRY_VOID(write_entries_parallel(f, i, skel, st, s, buf, flush, map_cut));
    buf += ']';
  }
  FailureDumpMap rest = skel;  // the skeleton has no contents: only its error may change
  finish_error(rest, map_cut, s);
  detail::write_map_rest(w, rest);
  w.end_object();
  cut.values += map_cut.values;
  return {};
}

Result<void> render_map(const NativeFile& f, std::size_t i, FailureDumpMap& out,
                        const RenderSettings& s, CutLog& cut) {
  const MapIndex& m = f.maps()[i];
  CutLog map_cut;
  if (m.shape == Shape::ArenaPages) {
    SCXSNAP_TRY_VOID(read_arena_pages(f, i, out));
  } else if (m.shape == Shape::Value && m.records) {
    SCXSNAP_TRY(Setup st, setup(f, i, out, s));
    SCXSNAP_TRY(std::vector<std::uint8_t> v, whole_value(f, i));
    out.value = map_contents::value_tree(v, st.rs.value, st.format.lim, map_cut);
  } else if (m.shape != Shape::None && m.shape != Shape::Value) {
    SCXSNAP_TRY(Setup st, setup(f, i, out, s));
    st.format.rs = &st.rs;
    SCXSNAP_TRY_VOID(for_each_record(f, i, out, [&](const Record& r) -> Result<void> {
      if (m.shape == Shape::OwnerEntries) {
        auto key = parse_rendered_value(r.key_json);
        if (!key)
          return Error(ErrorCode::BadInput, fmt::format("{} ({}): an owner key: {}", f.where(i),
                                                        out.name, key.error().message()));
        map_contents::add_owner_entry(out, std::move(*key), r.key, r.value, st.format, map_cut);
      } else if (is_array(m.shape)) {
        map_contents::add_array_entry(out, array_key(r.key), r.value, st.format, map_cut);
      } else {
        map_contents::add_hash_entry(out, r.key, r.value, st.format, map_cut);
      }
      return {};
    }));
  }
  finish_error(out, map_cut, s);
  cut.values += map_cut.values;
  return {};
}

Result<bool> render_vars(const NativeFile& f, std::size_t i, FailureDumpMap& out,
                         const std::vector<std::string>& names, const RenderSettings& s,
                         CutLog& cut) {
  const MapIndex& m = f.maps()[i];
  if (m.shape != Shape::Value || !m.records || !m.value_type || !f.btf()) return false;
  const struct btf* b = f.btf();
  const struct btf_type* sec = btf__type_by_id(b, m.value_type);
  if (!sec || !btf_is_datasec(sec)) return false;
  SCXSNAP_TRY(BtfRenderer * r, f.renderer(s.max_array_elements));
  RenderLimits lim;
  lim.max_value_bytes = s.max_value_bytes;
  lim.follow_pointer = s.follow;
  std::vector<RenderedMember> members;
  const auto* vs = btf_var_secinfos(sec);
  for (unsigned k = 0; k < btf_vlen(sec); ++k) {
    const struct btf_type* var = btf__type_by_id(b, vs[k].type);
    if (!var) return false;
    std::string name(name_at(b, var->name_off));
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      members.emplace_back(std::string_view(name),
                           RenderedValue::make_unsupported(
                               "not rendered: only the variables asked for are read from "
                               "a native snapshot"));
      continue;
    }
    SCXSNAP_TRY(std::vector<std::uint8_t> bytes, f.value_range(i, vs[k].offset, vs[k].size));
    CutLog var_cut;
    members.emplace_back(std::string_view(name),
                         map_contents::value_tree(bytes, {r, vs[k].type}, lim, var_cut));
    cut.values += var_cut.values;
  }
  std::string_view sec_name = name_at(b, sec->name_off);
  out.value = RenderedValue::make_struct(
      sec_name.empty() ? std::nullopt : std::optional<std::string_view>(sec_name),
      std::move(members));
  return true;
}

}  // namespace scxsnap::native
