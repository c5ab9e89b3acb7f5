// SPDX-License-Identifier: Apache-2.0
// Live capture orchestration: enumerate maps, read each (one failing map never
// fails the report), find the active object, gather host context.
#include "scxsnap/capture.hpp"

#include "active_object.hpp"
#include "fd.hpp"
#include "host_context.hpp"
#include "map_reader.hpp"
#include "report/report_writer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace scxsnap {
namespace {

using namespace capture_detail;
using Clock = std::chrono::steady_clock;

struct Captured {
  FailureDumpReport report;       // every field but `maps`
  std::vector<CapturedMap> maps;  // in map-id order (model mode)
};

bool wanted(const CaptureOptions& o, const MapInfo& info) {
  if (o.map_names.empty() && o.obj_prefixes.empty() && o.map_ids.empty()) return true;
  if (std::find(o.map_ids.begin(), o.map_ids.end(), info.id) != o.map_ids.end()) return true;
  if (std::find(o.map_names.begin(), o.map_names.end(), info.name) != o.map_names.end())
    return true;
  return std::any_of(o.obj_prefixes.begin(), o.obj_prefixes.end(),
                     [&](const std::string& p) { return info.name.starts_with(p); });
}

std::optional<MapInfo> map_info(int fd) {
  bpf_map_info raw{};
  std::uint32_t len = sizeof raw;
  if (bpf_obj_get_info_by_fd(fd, &raw, &len) != 0) return std::nullopt;
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
  i.name = raw.name;
  return i;
}

Fd open_map_readonly(std::uint32_t id) {
  LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
  return Fd(bpf_map_get_fd_by_id_opts(id, &opts));
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// With `w`, every captured map is written to the JSON writer as soon as it is
// read (hash entries stream straight into its buffer) and not kept.
Result<Captured> capture_impl(const CaptureOptions& o, detail::JsonWriter* w) {
  const auto start = Clock::now();
  auto elapsed_us = [&] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  };
  std::optional<std::uint64_t> deadline_hit_us;
  auto out_of_time = [&] {
    if (o.deadline_ms == 0) return false;
    if (!deadline_hit_us && elapsed_us() > o.deadline_ms * 1000) deadline_hit_us = elapsed_us();
    return deadline_hit_us.has_value();
  };

  // The first id lookup tells whether we may enumerate at all.
  std::vector<std::uint32_t> ids;
  for (std::uint32_t id = 0;;) {
    if (bpf_map_get_next_id(id, &id) != 0) {
      if (errno == ENOENT) break;
      if (errno == EPERM || errno == EACCES)
        return Error(ErrorCode::PermissionDenied,
                     "listing BPF maps was refused (bpf(BPF_MAP_GET_NEXT_ID): " +
                         std::string(std::strerror(errno)) +
                         "): capture needs CAP_SYS_ADMIN and CAP_BPF (run as root)");
      return Error(ErrorCode::Io, fmt::format("listing BPF maps failed: {}", std::strerror(errno)));
    }
    ids.push_back(id);
  }

  Fd stats_fd;
  std::vector<std::string> notes;
  if (o.enable_stats) {
    stats_fd = Fd(bpf_enable_stats(BPF_STATS_RUN_TIME));
    if (!stats_fd.valid())
      notes.push_back(
          fmt::format("--enable-stats: BPF_ENABLE_STATS failed: {}", std::strerror(errno)));
  }

  Captured c;
  FailureDumpReport& r = c.report;
  BtfCache btfs;
  int ncpus = libbpf_num_possible_cpus();
  ReadContext ctx{btfs, static_cast<std::uint32_t>(ncpus > 0 ? ncpus : 1), o.max_entries,
                  out_of_time, nullptr};
  if (w) detail::write_report_head(*w, r);
  std::vector<CapturedMap> struct_ops;
  std::size_t done = 0;
  for (std::uint32_t id : ids) {
    ++done;
    Fd fd = open_map_readonly(id);
    if (!fd.valid()) continue;  // vanished since the id walk
    auto info = map_info(fd.get());
    if (!info) continue;
    bool want = wanted(o, *info);
    if (!want && info->type != BPF_MAP_TYPE_STRUCT_OPS) continue;
    if (want && out_of_time()) {
      ++r.maps_truncated;
      continue;
    }
    if (o.progress && (done & 15) == 0)
      o.progress(fmt::format("map {}/{}: {}", done, ids.size(), info->name));
    CapturedMap cm;
    if (w && want && streams_entries(info->type)) {
      init_map(*info, cm.map);
      w->begin_object();
      detail::write_map_head(*w, cm.map);
      ctx.stream_out = &w->buffer();
      read_map(*info, fd.get(), ctx, cm);
      ctx.stream_out = nullptr;
      detail::write_map_rest(*w, cm.map);
      w->end_object();
      continue;
    }
    read_map(*info, fd.get(), ctx, cm);
    if (info->type == BPF_MAP_TYPE_STRUCT_OPS) struct_ops.push_back(cm);
    if (!want) continue;
    if (w)
      detail::write_map_to(*w, cm.map);
    else
      c.maps.push_back(std::move(cm));
  }
  if (deadline_hit_us) r.dump_truncated_at_us = *deadline_hit_us;

  // Scheduler context.
  HostPaths hp;
  std::string ops_name;
  bool scx = read_sched_ext(hp, r, ops_name);
  auto active = find_active_object(struct_ops, scx);
  if (active) {
    r.active_obj_name = active->obj_name;
    r.active_map_ids = active->map_ids;
  }
  if (o.active_obj) r.active_obj_name = *o.active_obj;
  read_prog_stats(active ? active->prog_ids : std::vector<std::uint32_t>{}, o.all_progs, r);
  if (!out_of_time()) {
    read_per_cpu_time(hp, r, notes);
    read_numa(hp, r);
    if (o.cgroup) read_cgroup_psi(*o.cgroup, r, notes);
    std::vector<std::int32_t> pids = o.pids;
    if (scx)  // with a sched_ext scheduler attached, every task it schedules
      for (std::int32_t p : ext_class_pids(hp))
        if (std::find(pids.begin(), pids.end(), p) == pids.end()) pids.push_back(p);
    read_tasks(hp, pids, r);
  }
  r.sdt_alloc_unavailable =
      "sdt_alloc allocators live in arena memory, which a live-host capture does not read";

  CaptureInfo info;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  info.host = host;
  utsname u{};
  if (::uname(&u) == 0) info.kernel_release = u.release;
  info.captured_at = utc_now();
  info.tool_version = SCXSNAP_VERSION;
  info.duration_us = elapsed_us();
  r.capture = info;
  if (o.progress)
    for (const auto& n : notes) o.progress(n);
  return c;
}

}  // namespace

Result<FailureDumpReport> capture(const CaptureOptions& options) {
  SCXSNAP_TRY(Captured c, capture_impl(options, nullptr));
  c.report.maps.reserve(c.maps.size());
  for (auto& m : c.maps) c.report.maps.push_back(std::move(m.map));
  return std::move(c.report);
}

Result<std::string> capture_json(const CaptureOptions& options, JsonStyle style) {
  if (style == JsonStyle::Pretty) {
    SCXSNAP_TRY(FailureDumpReport r, capture(options));
    return to_json(r, JsonStyle::Pretty);
  }
  std::string out;
  detail::JsonWriter w(out);
  SCXSNAP_TRY(Captured c, capture_impl(options, &w));
  detail::write_report_tail(w, c.report);
  return out;
}

}  // namespace scxsnap
