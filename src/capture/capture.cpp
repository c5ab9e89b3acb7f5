// SPDX-License-Identifier: Apache-2.0
// Live capture orchestration: enumerate maps, select, read each into a
// ContentSink (one failing map never fails the report), find the active
// object, gather host context. The entry points differ only in their sink:
// the model (ModelSink), JSON handed to an output every megabyte
// (JsonStreamSink: the output is never held whole), a native snapshot
// (NativeSink).
#include "scxsnap/capture.hpp"

#include "active_object.hpp"
#include "btf/arena_pointers.hpp"
#include "capture_internal.hpp"
#include "fd.hpp"
#include "host_context.hpp"
#include "kernel_abi.hpp"
#include "kernel_tape.hpp"
#include "map_reader.hpp"
#include "native_sink.hpp"
#include "render_sinks.hpp"
#include "report/guard.hpp"
#include "report/json/json_reindent.hpp"
#include "report/nearest_names.hpp"
#include "report/report_writer.hpp"
#include "scx_walker.hpp"
#include "scxsnap/objects.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/version.hpp"
#include "with_kernel.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <new>
#include <sstream>
#include <unistd.h>

namespace scxsnap {
namespace capture_detail {
namespace {

using Clock = std::chrono::steady_clock;

bool no_filter(const CaptureOptions& o) {
  return o.map_names.empty() && o.obj_prefixes.empty() && o.map_ids.empty();
}

// A listed map: its description (from the session's cache, or asked of the
// kernel now), or why it has none.
struct Listed {
  std::uint32_t id = 0;
  const MapInfo* info = nullptr;
  int err = 0;
  const char* step = "";
};

// What the filters select: --map by name, --map-id by id, and --obj as the
// map ids of each object it names (resolved before any map is read).
struct Selection {
  const CaptureOptions& o;
  std::vector<std::uint32_t> object_map_ids;  // sorted
  bool wanted(const MapInfo& info) const {
    if (no_filter(o)) return true;
    if (std::find(o.map_ids.begin(), o.map_ids.end(), info.id) != o.map_ids.end()) return true;
    if (std::binary_search(object_map_ids.begin(), object_map_ids.end(), info.id)) return true;
    return std::any_of(o.map_names.begin(), o.map_names.end(),
                       [&](const std::string& n) { return map_name_matches(n, info.name); });
  }
};

// Before any work: every filter must match some map; if one does not, the
// error names it and the nearest existing names. An object is its global
// sections, every map sharing their BTF, and the maps its programs use.
Result<Selection> resolve_filters(const CaptureOptions& o, CaptureCache& cache,
                                  const std::vector<Listed>& listed) {
  Selection sel{o, {}};
  if (no_filter(o) && !o.active_obj) return sel;
  struct Known {
    std::uint32_t id, btf_id;
    std::string_view name;
  };
  std::vector<Known> known;
  std::vector<std::string> names;
  for (const Listed& l : listed) {
    if (!l.info) continue;
    known.push_back({l.id, l.info->btf_id, l.info->name});
    names.push_back(l.info->name);
  }
  std::vector<std::string> misses;
  auto nearest = [&](std::string_view want) {
    auto near = detail::nearest_names(want, names, 3);
    std::string s;
    for (const auto& n : near) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? std::string("no maps are loaded") : "nearest: " + s;
  };
  for (const auto& n : o.map_names)
    if (std::none_of(names.begin(), names.end(),
                     [&](const std::string& h) { return map_name_matches(n, h); }))
      misses.push_back(fmt::format("--map '{}' ({})", n, nearest(n)));
  for (const auto& p : o.obj_prefixes) {
    std::vector<std::uint32_t> btf_ids;
    bool any = false;
    for (const auto& k : known)
      if (is_object_section_name(p, k.name)) {
        any = true;
        sel.object_map_ids.push_back(k.id);
        if (k.btf_id) btf_ids.push_back(k.btf_id);
      }
    if (!any) {
      misses.push_back(fmt::format("--obj '{}' ({})", p, nearest(p + ".bss")));
      continue;
    }
    for (const auto& k : known)
      if (k.btf_id && std::find(btf_ids.begin(), btf_ids.end(), k.btf_id) != btf_ids.end())
        sel.object_map_ids.push_back(k.id);
    for (std::uint32_t id : maps_used_by_programs(cache, btf_ids)) sel.object_map_ids.push_back(id);
  }
  if (o.active_obj && std::none_of(known.begin(), known.end(), [&](const Known& k) {
        return is_object_section_name(*o.active_obj, k.name);
      }))
    misses.push_back(
        fmt::format("--active-obj '{}': no loaded object has global sections by "
                    "that name ({})",
                    *o.active_obj, nearest(*o.active_obj + ".bss")));
  std::sort(sel.object_map_ids.begin(), sel.object_map_ids.end());
  for (std::uint32_t want : o.map_ids)
    if (std::none_of(listed.begin(), listed.end(), [&](const Listed& l) { return l.id == want; }))
      misses.push_back(fmt::format("--map-id {} (no loaded map has that id)", want));
  if (misses.empty()) return sel;
  std::string msg = "no map matches ";
  for (std::size_t i = 0; i < misses.size(); ++i) msg += (i ? "; " : "") + misses[i];
  return Error(ErrorCode::NotFound, msg);
}

// A map that could not be opened or described is still listed, with why,
// when the filters can tell it was asked for (no filter, or its id).
bool wanted_by_id(const CaptureOptions& o, std::uint32_t id) {
  if (no_filter(o)) return true;
  return std::find(o.map_ids.begin(), o.map_ids.end(), id) != o.map_ids.end();
}

// Why listing maps was refused, from /proc/self/status CapEff: walking map
// ids and opening maps by id need CAP_SYS_ADMIN (CAP_BPF alone is not enough).
std::string missing_capabilities(KernelSource& src) {
  std::string status;
  src.read_file("/proc/self/status", &status);
  std::istringstream in(status);
  std::string line;
  std::optional<std::uint64_t> eff;
  while (std::getline(in, line))
    if (line.starts_with("CapEff:")) eff = std::strtoull(line.c_str() + 7, nullptr, 16);
  if (!eff) return "capture needs CAP_SYS_ADMIN (run as root)";
  if (*eff >> CAP_SYS_ADMIN & 1)
    return "the process has CAP_SYS_ADMIN, so a security module (LSM, lockdown) or a seccomp "
           "filter refused it";
  return fmt::format(
      "this process lacks CAP_SYS_ADMIN, which walking and opening maps by id require{}; run as "
      "root (or grant it, e.g. setpriv/capsh)",
      *eff >> CAP_BPF & 1 ? " (it has CAP_BPF, which is not enough)" : " (it lacks CAP_BPF too)");
}

}  // namespace

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

struct Captured {
  FailureDumpReport report;  // every field but `maps` (the sink has them)
  CaptureSummary summary;
};

// One capture: enumerate -> select -> read -> sink. The context (BTF cache,
// limits, stop signal) is made first, so that a sink can be made over it.
class CaptureRun {
 public:
  CaptureRun(const CaptureOptions& o, CaptureCache& cache)
      : o_(o), cache_(cache), src_(cache.source()), ctx_{src_, cache.btfs()} {
    ctx_.ncpus = static_cast<std::uint32_t>(cache.possible_cpus());
    ctx_.entry_cap = o.max_entries;
    ctx_.buffer_bytes = std::max<std::size_t>(o.lookup_buffer_bytes, 1);
    ctx_.limits.max_value_bytes = o.max_value_bytes;
    ctx_.limits.should_stop = [this] { return should_stop(); };
    ctx_.stop_reason = [this] { return stopped_by_.value_or("stop requested"); };
  }
  CaptureRun(const CaptureRun&) = delete;
  CaptureRun& operator=(const CaptureRun&) = delete;

  ReadContext& context() { return ctx_; }
  Result<Captured> run(ContentSink& sink);

 private:
  std::uint64_t elapsed_us() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count());
  }
  // The stop signal: the deadline, a cancel flag (signal), or a failed output.
  bool should_stop() {
    if (stopped_by_) return true;
    if (o_.cancel && o_.cancel->load(std::memory_order_relaxed))
      stopped_by_ = "signal";
    else if (o_.deadline_ms != 0 && elapsed_us() > o_.deadline_ms * 1000)
      stopped_by_ = "deadline";
    else if (sink_ && sink_->error())
      stopped_by_ = "output error";
    else
      return false;
    stopped_at_us_ = elapsed_us();
    return true;
  }
  Result<std::vector<std::uint32_t>> map_ids();
  std::vector<Listed> list_maps(const std::vector<std::uint32_t>& ids);
  Result<Captured> run_round(ContentSink& sink);
  void read_maps(const std::vector<Listed>& listed, const Selection& sel, Captured& c);
  void read_context(Captured& c, std::vector<std::string>& notes);
  void walk_kernel(FailureDumpReport& r, const HostPaths& hp);
  void describe(Captured& c);

  const CaptureOptions& o_;
  CaptureCache& cache_;
  KernelSource& src_;
  ReadContext ctx_;
  ContentSink* sink_ = nullptr;
  Clock::time_point start_ = Clock::now();
  std::optional<std::uint64_t> stopped_at_us_;
  std::optional<std::string> stopped_by_;
  std::vector<CapturedMap> struct_ops_;  // every struct_ops map: which object is active
};

// The first id lookup tells whether we may enumerate at all.
Result<std::vector<std::uint32_t>> CaptureRun::map_ids() {
  std::vector<std::uint32_t> ids;
  for (std::uint32_t id = 0;;) {
    std::uint32_t next = 0;
    int rc = src_.next_map_id(id, &next);
    if (rc == 0 && next <= id)  // the kernel's ids go up; a tape could say anything
      return Error(ErrorCode::BadInput,
                   fmt::format("listing BPF maps: map id {} came after map id {}", next, id));
    id = next;
    if (rc != 0) {
      if (rc == -ENOENT) break;
      if (rc == -EPERM || rc == -EACCES)
        return Error(ErrorCode::PermissionDenied,
                     "listing BPF maps was refused (bpf(BPF_MAP_GET_NEXT_ID): " +
                         std::string(std::strerror(-rc)) + "): " + missing_capabilities(src_));
      return Error(ErrorCode::Io, fmt::format("listing BPF maps failed: {}", std::strerror(-rc)));
    }
    ids.push_back(id);
  }
  return ids;
}

std::vector<Listed> CaptureRun::list_maps(const std::vector<std::uint32_t>& ids) {
  std::vector<Listed> out;
  out.reserve(ids.size());
  for (std::uint32_t id : ids) {
    Listed l{id};
    l.info = cache_.map_info(id, &l.err, &l.step);
    out.push_back(l);
  }
  return out;
}

// Every selected map, in id order, into the sink. Arenas are read first, so
// that pointers into them, in every other map, are followed into their
// pages; each is then emitted in its place. Struct_ops maps are read even
// when not selected: they tell which object is active.
void CaptureRun::read_maps(const std::vector<Listed>& listed, const Selection& sel, Captured& c) {
  ContentSink& sink = *sink_;
  DiscardSink discard;
  auto count = [&](const FailureDumpMap& m) {
    ++c.summary.maps;
    if (m.error) ++c.summary.maps_with_errors;
  };
  auto failed_map = [&](std::uint32_t id, std::string why) {
    CapturedMap cm;
    cm.map.name = fmt::format("<map id {}>", id);
    cm.map.map_id = id;
    cm.map.error = std::move(why);
    count(cm.map);
    sink.failed_map(std::move(cm));
  };

  std::map<std::uint32_t, CapturedMap> arenas;
  ctx_.sink = &discard;  // an arena's reader keeps what it reads in its skeleton
  for (const Listed& l : listed) {
    if (!l.info || l.info->type != kMapTypeArena || !sel.wanted(*l.info) || should_stop()) continue;
    Fd fd(src_.open_map(l.id));
    if (!fd.valid()) continue;  // gone since the listing; the read pass says so if asked
    read_map(*l.info, fd.get(), ctx_, arenas[l.id]);
  }
  std::vector<const ArenaSnapshot*> arena_views;
  for (const auto& [id, cm] : arenas)
    if (cm.map.arena) arena_views.push_back(&*cm.map.arena);
  ctx_.limits.follow_pointer = arena_pointers::follower(arena_views);

  std::size_t done = 0;
  for (const Listed& l : listed) {
    ++done;
    const std::uint32_t id = l.id;
    // Only ENOENT means the map went away since the id walk.
    if (!l.info) {
      if (l.err != -ENOENT && wanted_by_id(o_, id))
        failed_map(id, fmt::format("cannot {}: {}", l.step, std::strerror(-l.err)));
      continue;
    }
    const MapInfo& info = *l.info;
    const bool want = sel.wanted(info);
    if (!want && info.type != BPF_MAP_TYPE_STRUCT_OPS) continue;
    if (want && should_stop()) {
      ++c.report.maps_truncated;
      continue;
    }
    if (o_.progress && (done & 15) == 0)
      o_.progress(fmt::format("map {}/{}: {}", done, listed.size(), info.name));
    if (auto pre = arenas.find(id); pre != arenas.end()) {
      // The skeleton without its pages (never copied: they can be hundreds
      // of MiB); the pages follow one at a time.
      std::vector<ArenaPage> pages;
      if (pre->second.map.arena) pages.swap(pre->second.map.arena->pages);
      CapturedMap skeleton = pre->second;
      if (pre->second.map.arena) pre->second.map.arena->pages.swap(pages);
      sink.begin_map(info, skeleton.map);
      if (pre->second.map.arena)
        for (const ArenaPage& p : pre->second.map.arena->pages) sink.arena_page(p);
      count(skeleton.map);
      sink.end_map(std::move(skeleton));
      continue;
    }
    const int fdnum = src_.open_map(id);
    if (fdnum < 0) {
      if (fdnum != -ENOENT && want)
        failed_map(id, fmt::format("cannot open the map read-only: {}", std::strerror(-fdnum)));
      continue;
    }
    Fd fd(fdnum);
    ctx_.sink = want ? &sink : &discard;
    CapturedMap cm;
    read_map(info, fd.get(), ctx_, cm);
    if (info.type == BPF_MAP_TYPE_STRUCT_OPS) {
      CapturedMap bookkeeping;  // the skeleton's identity and what finds the active object
      bookkeeping.map.name = cm.map.name;
      bookkeeping.map.map_id = cm.map.map_id;
      bookkeeping.struct_ops_in_use = cm.struct_ops_in_use;
      bookkeeping.struct_ops_prog_ids = cm.struct_ops_prog_ids;
      bookkeeping.struct_ops_type = cm.struct_ops_type;
      struct_ops_.push_back(std::move(bookkeeping));
    }
    if (!want) continue;
    count(cm.map);
    sink.end_map(std::move(cm));
  }
  ctx_.sink = nullptr;
  sink.finish(arenas);
}

// Scheduler context: the active object, program stats, /proc and /sys.
void CaptureRun::read_context(Captured& c, std::vector<std::string>& notes) {
  FailureDumpReport& r = c.report;
  HostPaths hp;
  std::string ops_name;
  bool scx_present = false;
  bool scx = read_sched_ext(src_, hp, r, ops_name, scx_present);
  auto active = find_active_object(cache_, struct_ops_, scx);
  if (active) {
    r.active_obj_name = active->obj_name;
    r.active_map_ids = active->map_ids;
  }
  if (o_.active_obj) r.active_obj_name = *o_.active_obj;
  read_prog_stats(src_, active ? active->prog_ids : std::vector<std::uint32_t>{}, o_.all_progs, r);
  if (!should_stop()) {
    read_per_cpu_time(src_, hp, r, notes);
    read_numa(src_, hp, r);
    if (o_.cgroup) read_cgroup_psi(src_, *o_.cgroup, r, notes);
    std::vector<std::int32_t> pids = o_.pids;
    if (scx)  // with a sched_ext scheduler attached, every task it schedules
      for (std::int32_t p : ext_class_pids(src_, hp))
        if (std::find(pids.begin(), pids.end(), p) == pids.end()) pids.push_back(p);
    read_tasks(src_, hp, pids, r);
    if (scx_present && !should_stop()) walk_kernel(r, hp);
  }
  r.sdt_alloc_unavailable =
      "a live-host capture does not walk sdt_alloc allocators (an arena's pages and __arena "
      "globals are in its map)";
}

// The kernel's half: sched_ext's runqueues, DSQs and scheduler from kernel
// memory (scx_walker.hpp), where the kernel has sched_ext.
void CaptureRun::walk_kernel(FailureDumpReport& r, const HostPaths& hp) {
  auto w = cache_.kernel_walk();
  if (!w) {
    r.scx_walker_unavailable = "rq/DSQ/scx_sched state not read: " + w.error().message();
    return;
  }
  walk_scx(**w, ScxWalkOptions{possible_nodes(src_, hp)}, r);
}

// The capture's own record (host, time, budget, why it stopped) and summary.
void CaptureRun::describe(Captured& c) {
  FailureDumpReport& r = c.report;
  if (stopped_at_us_) r.dump_truncated_at_us = *stopped_at_us_;
  CaptureInfo info;
  HostIdentity host = cache_.host();
  info.host = std::move(host.hostname);
  info.kernel_release = std::move(host.kernel_release);
  info.captured_at = utc_now();
  info.tool_version = std::string(version());
  info.duration_us = elapsed_us();
  info.max_value_bytes = o_.max_value_bytes;
  info.values_truncated = ctx_.stats.values_truncated;
  if (o_.max_array_elements != BtfRenderer::kDefaultMaxArrayElements)
    info.max_array_elements = o_.max_array_elements;
  info.stopped_by = stopped_by_;
  r.capture = info;

  CaptureSummary& s = c.summary;
  s.entries = ctx_.stats.entries;
  s.duration_us = info.duration_us;
  s.maps_truncated = r.maps_truncated;
  s.values_truncated = ctx_.stats.values_truncated;
  s.stopped_by = stopped_by_;
}

// One round of the cache: what this capture did not ask for is dropped after it.
Result<Captured> CaptureRun::run(ContentSink& sink) {
  cache_.begin_round();
  auto r = run_round(sink);
  cache_.end_round();
  return r;
}

Result<Captured> CaptureRun::run_round(ContentSink& sink) {
  sink_ = &sink;
  SCXSNAP_TRY(std::vector<std::uint32_t> ids, map_ids());
  std::vector<Listed> listed = list_maps(ids);
  SCXSNAP_TRY(Selection sel, resolve_filters(o_, cache_, listed));
  if (o_.cgroup) {
    std::string dir = cgroup_dir(*o_.cgroup);
    std::vector<DirEntry> listing;
    if (int rc = src_.list_dir(dir, &listing); rc != 0)
      return Error(ErrorCode::NotFound, fmt::format("--cgroup '{}': no cgroup directory {} ({})",
                                                    *o_.cgroup, dir, std::strerror(-rc)));
  }
  Fd stats_fd;
  std::vector<std::string> notes;
  if (o_.enable_stats) {
    const int rc = src_.enable_stats();
    if (rc >= 0)
      stats_fd = Fd(rc);
    else
      notes.push_back(
          fmt::format("--enable-stats: BPF_ENABLE_STATS failed: {}", std::strerror(-rc)));
  }
  Captured c;
  read_maps(listed, sel, c);
  read_context(c, notes);
  describe(c);
  if (o_.progress)
    for (const auto& n : notes) o_.progress(n);
  return c;
}

// The report's maps from a sink that kept them.
void take_maps(FailureDumpReport& r, std::vector<CapturedMap>& maps) {
  r.maps.reserve(maps.size());
  for (auto& m : maps) r.maps.push_back(std::move(m.map));
}

}  // namespace

Result<FailureDumpReport> capture_model(const CaptureOptions& options, CaptureCache& cache) {
  return detail::guarded("capture", [&]() -> Result<FailureDumpReport> {
    CaptureRun run(options, cache);
    ModelSink sink(run.context());
    SCXSNAP_TRY(Captured c, run.run(sink));
    take_maps(c.report, sink.maps());
    return std::move(c.report);
  });
}

Result<CaptureSummary> capture_stream(const CaptureOptions& options, CaptureCache& cache,
                                      const JsonSink& out, JsonStyle style) {
  return detail::guarded("capture", [&]() -> Result<CaptureSummary> {
    detail::JsonReindenter pretty;
    std::string pretty_buf;
    JsonSink pretty_out = [&](std::string_view chunk) -> Result<void> {
      pretty_buf.clear();
      pretty.feed(chunk, pretty_buf);
      return out(pretty_buf);
    };
    CaptureRun run(options, cache);
    JsonStreamSink sink(run.context(), style == JsonStyle::Pretty ? &pretty_out : &out);
    detail::write_report_head(sink.writer(), FailureDumpReport{});
    SCXSNAP_TRY(Captured c, run.run(sink));
    detail::write_report_tail(sink.writer(), c.report);
    sink.flush();
    if (auto e = sink.error()) return *e;
    c.summary.bytes = sink.bytes();
    return c.summary;
  });
}

Result<std::string> capture_text(const CaptureOptions& options, CaptureCache& cache,
                                 JsonStyle style) {
  return detail::guarded("capture", [&]() -> Result<std::string> {
    CaptureRun run(options, cache);
    JsonStreamSink sink(run.context(), nullptr);
    detail::write_report_head(sink.writer(), FailureDumpReport{});
    SCXSNAP_TRY(Captured c, run.run(sink));
    detail::write_report_tail(sink.writer(), c.report);
    if (style == JsonStyle::Compact) return std::move(sink.text());
    std::string pretty;
    detail::JsonReindenter r;
    r.feed(sink.text(), pretty);
    return pretty;
  });
}

namespace {

// One capture into `w` (its maps' raw contents); the report keeps the skeletons.
Result<Captured> capture_into(const CaptureOptions& options, CaptureCache& cache,
                              native::NativeWriter& w) {
  CaptureRun run(options, cache);
  NativeSink sink(w, run.context());
  SCXSNAP_TRY(Captured c, run.run(sink));
  if (w.error()) return *w.error();
  native::Index& x = w.index();
  x.ncpus = run.context().ncpus;
  x.tool_version = std::string(version());
  x.max_value_bytes = options.max_value_bytes;
  x.max_array_elements = options.max_array_elements;
  take_maps(c.report, sink.maps());
  return c;
}

}  // namespace

Result<CaptureSummary> capture_native_to(const CaptureOptions& options, CaptureCache& cache,
                                         const std::filesystem::path& path,
                                         const native::WriterOptions& wo) {
  return detail::guarded("capture", [&]() -> Result<CaptureSummary> {
    SCXSNAP_TRY(std::unique_ptr<native::NativeWriter> writer,
                native::NativeWriter::create(path, wo));
    SCXSNAP_TRY(Captured c, capture_into(options, cache, *writer));
    SCXSNAP_TRY_VOID(writer->finish(to_json(c.report)));
    // What was written: the file's size where it can be asked (never the
    // error value file_size returns), else the writer's own count.
    std::error_code ec;
    const std::uintmax_t on_disk = std::filesystem::file_size(path, ec);
    c.summary.bytes = ec ? writer->bytes_written() : on_disk;
    return c.summary;
  });
}

Result<CaptureSummary> capture_native_sample(const CaptureOptions& options, CaptureCache& cache,
                                             native::NativeWriter& w, std::string tag,
                                             std::uint64_t elapsed_ms) {
  return detail::guarded("capture", [&]() -> Result<CaptureSummary> {
    w.begin_series();
    w.begin_sample(std::move(tag), elapsed_ms);
    SCXSNAP_TRY(Captured c, capture_into(options, cache, w));
    SCXSNAP_TRY_VOID(w.end_sample(to_json(c.report)));
    c.summary.bytes = w.bytes_written();
    return c.summary;
  });
}

// One-shot captures: a cache of their own, dropped with them.
Result<FailureDumpReport> capture_model(const CaptureOptions& options, KernelSource& src) {
  CaptureCache cache(src, options.max_array_elements);
  return capture_model(options, cache);
}
Result<CaptureSummary> capture_stream(const CaptureOptions& options, KernelSource& src,
                                      const JsonSink& sink, JsonStyle style) {
  CaptureCache cache(src, options.max_array_elements);
  return capture_stream(options, cache, sink, style);
}
Result<std::string> capture_text(const CaptureOptions& options, KernelSource& src,
                                 JsonStyle style) {
  CaptureCache cache(src, options.max_array_elements);
  return capture_text(options, cache, style);
}
Result<CaptureSummary> capture_native_to(const CaptureOptions& options, KernelSource& src,
                                         const std::filesystem::path& path,
                                         const native::WriterOptions& wo) {
  CaptureCache cache(src, options.max_array_elements);
  return capture_native_to(options, cache, path, wo);
}
Result<CaptureSummary> capture_native_sample(const CaptureOptions& options, KernelSource& src,
                                             native::NativeWriter& w, std::string tag,
                                             std::uint64_t elapsed_ms) {
  CaptureCache cache(src, options.max_array_elements);
  return capture_native_sample(options, cache, w, std::move(tag), elapsed_ms);
}

}  // namespace capture_detail

Result<CaptureSummary> capture_native(const CaptureOptions& options,
                                      const std::filesystem::path& path) {
  return capture_detail::with_kernel(options, [&](capture_detail::KernelSource& src) {
    return capture_detail::capture_native_to(options, src, path, {});
  });
}

Result<FailureDumpReport> capture(const CaptureOptions& options) {
  return capture_detail::with_kernel(options, [&](capture_detail::KernelSource& src) {
    return capture_detail::capture_model(options, src);
  });
}

Result<CaptureSummary> capture_json(const CaptureOptions& options, const JsonSink& sink,
                                    JsonStyle style) {
  return capture_detail::with_kernel(options, [&](capture_detail::KernelSource& src) {
    return capture_detail::capture_stream(options, src, sink, style);
  });
}

Result<CaptureSummary> capture_to_file(const CaptureOptions& options,
                                       const std::filesystem::path& path, JsonStyle style) {
  SCXSNAP_TRY(OutputFile f, OutputFile::create(path));
  SCXSNAP_TRY(CaptureSummary s,
              capture_json(
                  options, [&](std::string_view chunk) { return f.write(chunk); }, style));
  SCXSNAP_TRY_VOID(f.write("\n"));
  s.bytes = f.bytes_written();
  SCXSNAP_TRY_VOID(f.commit());
  return s;
}

Result<std::string> capture_json(const CaptureOptions& options, JsonStyle style) {
  return capture_detail::with_kernel(options, [&](capture_detail::KernelSource& src) {
    return capture_detail::capture_text(options, src, style);
  });
}

}  // namespace scxsnap
