// SPDX-License-Identifier: Apache-2.0
#include "host_context.hpp"

#include "kernel_abi.hpp"

#include <array>
#include <charconv>
#include <fmt/format.h>
#include <map>
#include <sstream>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

bool read_text(KernelSource& src, const std::string& path, std::string& out) {
  return src.read_file(path, &out) == 0;
}

// The names in a directory ({} when it cannot be listed).
std::vector<std::string> names_in(KernelSource& src, const std::string& dir) {
  std::vector<DirEntry> entries;
  std::vector<std::string> out;
  if (src.list_dir(dir, &entries) != 0) return out;
  for (auto& e : entries) out.push_back(std::move(e.name));
  return out;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class T>
bool parse_num(std::string_view s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t s = 0;
  while (s < text.size()) {
    std::size_t e = text.find('\n', s);
    if (e == std::string_view::npos) e = text.size();
    out.push_back(text.substr(s, e - s));
    s = e + 1;
  }
  return out;
}

// The CPU ids of a /proc table's header ("CPU0 CPU1 ..."), in column order.
std::vector<std::uint32_t> cpu_columns(const std::vector<std::string_view>& lines) {
  std::vector<std::uint32_t> cols;
  if (lines.empty()) return cols;
  for (auto h : split_ws(lines[0])) {
    std::uint32_t c = 0;
    if (h.starts_with("CPU") && parse_num(h.substr(3), c)) cols.push_back(c);
  }
  return cols;
}

}  // namespace

void read_per_cpu_time(KernelSource& src, const HostPaths& hp, FailureDumpReport& r,
                       std::vector<std::string>& notes) {
  std::string stat;
  if (!read_text(src, hp.proc + "/stat", stat)) {
    notes.push_back("per_cpu_time: cannot read " + hp.proc + "/stat");
    return;
  }
  const double ns_per_tick = 1e9 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto ns = [&](std::string_view f) {
    std::uint64_t t = 0;
    parse_num(f, t);
    return static_cast<std::uint64_t>(static_cast<double>(t) * ns_per_tick);
  };
  std::map<std::uint32_t, PerCpuTimeStats> rows;
  for (std::string_view line : lines_of(stat)) {
    auto f = split_ws(line);
    if (f.size() < 9 || !f[0].starts_with("cpu") || f[0] == "cpu") continue;
    std::uint32_t cpu = 0;
    if (!parse_num(f[0].substr(3), cpu)) continue;
    PerCpuTimeStats s;
    s.cpu = cpu;
    // user nice system idle iowait irq softirq steal (USER_HZ ticks)
    s.cpustat_user_ns = ns(f[1]);
    s.cpustat_nice_ns = ns(f[2]);
    s.cpustat_system_ns = ns(f[3]);
    s.cpustat_idle_ns = ns(f[4]);
    s.cpustat_iowait_ns = ns(f[5]);
    s.cpustat_irq_ns = ns(f[6]);
    s.cpustat_softirq_ns = ns(f[7]);
    s.cpustat_steal_ns = ns(f[8]);
    s.softirqs.assign(kNrSoftirqs, 0);
    rows.emplace(cpu, std::move(s));
  }
  // /proc/softirqs: one row per softirq (HI … RCU), one column per CPU.
  static constexpr std::array<std::string_view, kNrSoftirqs> kSoftirqs = {
      "HI:",       "TIMER:",   "NET_TX:", "NET_RX:",  "BLOCK:",
      "IRQ_POLL:", "TASKLET:", "SCHED:",  "HRTIMER:", "RCU:"};
  std::string text;
  if (read_text(src, hp.proc + "/softirqs", text)) {
    auto ls = lines_of(text);
    std::vector<std::uint32_t> cols = cpu_columns(ls);
    for (std::size_t li = 1; li < ls.size(); ++li) {
      auto f = split_ws(ls[li]);
      if (f.empty()) continue;
      for (std::size_t k = 0; k < kSoftirqs.size(); ++k) {
        if (f[0] != kSoftirqs[k]) continue;
        for (std::size_t c = 0; c < cols.size() && c + 1 < f.size(); ++c) {
          auto it = rows.find(cols[c]);
          if (it != rows.end()) parse_num(f[c + 1], it->second.softirqs[k]);
        }
      }
    }
  } else {
    notes.push_back("per_cpu_time: cannot read " + hp.proc + "/softirqs (softirq counts left 0)");
  }
  // /proc/interrupts: per-CPU columns; sum them for irqs_sum.
  if (read_text(src, hp.proc + "/interrupts", text)) {
    auto ls = lines_of(text);
    std::vector<std::uint32_t> cols = cpu_columns(ls);
    for (std::size_t li = 1; li < ls.size(); ++li) {
      auto f = split_ws(ls[li]);
      for (std::size_t c = 0; c < cols.size() && c + 1 < f.size(); ++c) {
        std::uint64_t v = 0;
        if (!parse_num(f[c + 1], v)) break;
        auto it = rows.find(cols[c]);
        if (it != rows.end()) it->second.irqs_sum += v;
      }
    }
  }
  for (auto& [cpu, s] : rows) r.per_cpu_time.push_back(std::move(s));
}

void read_numa(KernelSource& src, const HostPaths& hp, FailureDumpReport& r) {
  std::string base = hp.sys + "/devices/system/node";
  std::vector<std::uint32_t> nodes;
  for (const std::string& n : names_in(src, base)) {
    std::uint32_t id = 0;
    if (n.starts_with("node") && parse_num(std::string_view(n).substr(4), id)) nodes.push_back(id);
  }
  if (nodes.empty()) {
    r.per_node_numa_unavailable = "no NUMA nodes under " + base + " (kernel without CONFIG_NUMA?)";
    return;
  }
  std::sort(nodes.begin(), nodes.end());
  for (std::uint32_t id : nodes) {
    std::string text;
    if (!read_text(src, fmt::format("{}/node{}/numastat", base, id), text)) continue;
    PerNodeNumaStats s;
    s.node = id;
    for (auto line : lines_of(text)) {
      auto f = split_ws(line);
      if (f.size() != 2) continue;
      std::uint64_t v = 0;
      parse_num(f[1], v);
      if (f[0] == "numa_hit")
        s.numa_hit = v;
      else if (f[0] == "numa_miss")
        s.numa_miss = v;
      else if (f[0] == "numa_foreign")
        s.numa_foreign = v;
      else if (f[0] == "interleave_hit")
        s.numa_interleave_hit = v;
      else if (f[0] == "local_node")
        s.numa_local = v;
      else if (f[0] == "other_node")
        s.numa_other = v;
    }
    r.per_node_numa.push_back(s);
  }
  if (r.per_node_numa.empty()) r.per_node_numa_unavailable = "numastat unreadable under " + base;
}

std::string cgroup_dir(const std::string& cgroup) {
  return cgroup.starts_with("/sys/fs/cgroup") ? cgroup : "/sys/fs/cgroup/" + cgroup;
}

void read_cgroup_psi(KernelSource& src, const std::string& cgroup, FailureDumpReport& r,
                     std::vector<std::string>& notes) {
  std::string dir = cgroup_dir(cgroup);
  std::string text;
  if (!read_text(src, dir + "/irq.pressure", text)) {
    notes.push_back("cgroup_psi: cannot read " + dir +
                    "/irq.pressure (no such cgroup, or PSI/IRQ accounting off)");
    return;
  }
  std::uint64_t ino = 0;
  src.inode_of(dir, &ino);
  CgroupPsiStat s;
  // No kernel addresses on a live host: the cgroup's inode number (its cgroup
  // id) is the identity, for both fields.
  s.cgroup_kva = ino;
  s.serial_nr = ino;
  for (auto line : lines_of(text)) {
    auto f = split_ws(line);
    if (f.empty() || f[0] != "full") continue;
    for (auto kv : f) {
      if (kv.starts_with("avg10=")) {
        double pct = std::strtod(std::string(kv.substr(6)).c_str(), nullptr);
        s.avg10_raw = static_cast<std::uint64_t>(pct * 2048.0 / 100.0 * 100.0) /
                      100;  // ktstr: percent = raw/2048
      } else if (kv.starts_with("total=")) {
        std::uint64_t us = 0;
        parse_num(kv.substr(6), us);
        s.total_ns = us * 1000;
      }
    }
  }
  r.cgroup_psi.push_back(s);
}

void read_tasks(KernelSource& src, const HostPaths& hp, const std::vector<std::int32_t>& pids,
                FailureDumpReport& r) {
  static constexpr std::array<std::uint32_t, 40> kPrioToWeight = {
      88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
      3906,  3121,  2501,  1991,  1586,  1277,  1024,  820,   655,   526,   423,  335,  272,  215,
      172,   137,   110,   87,    70,    56,    45,    36,    29,    23,    18,   15};
  std::vector<std::string> missing;
  for (std::int32_t pid : pids) {
    std::string stat, status, comm;
    if (!read_text(src, fmt::format("{}/{}/stat", hp.proc, pid), stat) ||
        !read_text(src, fmt::format("{}/{}/status", hp.proc, pid), status)) {
      missing.push_back(std::to_string(pid));
      continue;
    }
    // comm is in parentheses and may contain spaces: split after the last ')'.
    std::size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    TaskEnrichment t;
    t.pid = pid;
    t.comm = stat.substr(open + 1, close - open - 1);
    auto f = split_ws(std::string_view(stat).substr(close + 2));  // f[0] = state (field 3)
    auto field = [&](std::size_t n) -> std::int64_t {             // n = stat field number (1-based)
      std::int64_t v = 0;
      if (n >= 3 && n - 3 < f.size()) parse_num(f[n - 3], v);
      return v;
    };
    std::int32_t tgid = pid, ppid = static_cast<std::int32_t>(field(4));
    std::uint64_t nvcsw = 0, nivcsw = 0;
    for (auto line : lines_of(status)) {
      auto kv = split_ws(line);
      if (kv.size() < 2) continue;
      if (kv[0] == "Tgid:")
        parse_num(kv[1], tgid);
      else if (kv[0] == "voluntary_ctxt_switches:")
        parse_num(kv[1], nvcsw);
      else if (kv[0] == "nonvoluntary_ctxt_switches:")
        parse_num(kv[1], nivcsw);
    }
    t.tgid = tgid;
    std::int64_t nice = field(19), rt = field(40), policy = field(41), prio = field(18);
    std::string parent_comm;
    read_text(src, fmt::format("{}/{}/comm", hp.proc, ppid), parent_comm);
    while (!parent_comm.empty() && parent_comm.back() == '\n') parent_comm.pop_back();
    auto num = [](std::int64_t v) { return JsonValue::number(v); };
    t.rest.emplace_back("group_leader_pid", num(tgid));
    t.rest.emplace_back("real_parent_pid", num(ppid));
    if (!parent_comm.empty())
      t.rest.emplace_back("real_parent_comm", JsonValue::string(parent_comm));
    t.rest.emplace_back("pgid", num(field(5)));
    t.rest.emplace_back("sid", num(field(6)));
    t.rest.emplace_back("nr_threads", num(field(20)));
    std::int64_t idx = std::clamp<std::int64_t>(nice + 20, 0, 39);
    t.rest.emplace_back(
        "weight",
        num(static_cast<std::int64_t>(kPrioToWeight[static_cast<std::size_t>(idx)]) * 100 / 1024));
    // /proc reports prio - 100 (MAX_RT_PRIO); the kernel field is prio.
    t.rest.emplace_back("prio", num(prio + 100));
    t.rest.emplace_back("static_prio", num(120 + nice));
    t.rest.emplace_back("normal_prio", num(policy == 1 || policy == 2 ? 99 - rt : 120 + nice));
    t.rest.emplace_back("rt_priority", num(rt));
    const char* cls = policy == 0 || policy == 3 || policy == 5 ? "fair"
                      : policy == 1 || policy == 2              ? "rt"
                      : policy == 6                             ? "dl"
                      : policy == 7                             ? "ext"
                                                                : nullptr;
    if (cls) t.rest.emplace_back("sched_class", JsonValue::string(cls));
    t.rest.emplace_back("pi_boosted_out_of_scx", JsonValue::boolean(false));
    t.rest.emplace_back("nvcsw", JsonValue::number(nvcsw));
    t.rest.emplace_back("nivcsw", JsonValue::number(nivcsw));
    r.task_enrichments.push_back(std::move(t));
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    r.task_enrichments_unavailable = "no such process: " + list;
  } else if (r.task_enrichments.empty()) {
    r.task_enrichments_unavailable = "no --pid given and no task in the ext scheduling class";
  }
}

std::vector<std::int32_t> ext_class_pids(KernelSource& src, const HostPaths& hp) {
  std::vector<std::int32_t> out;
  for (const std::string& name : names_in(src, hp.proc)) {
    std::int32_t pid = 0;
    if (!parse_num(std::string_view(name), pid)) continue;
    std::string stat;
    if (!read_text(src, hp.proc + "/" + name + "/stat", stat)) continue;  // exited meanwhile
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 > stat.size()) continue;
    auto f = split_ws(std::string_view(stat).substr(close + 2));
    std::int64_t policy = -1;
    if (f.size() > 41 - 3) parse_num(f[41 - 3], policy);
    if (policy == kSchedExt) out.push_back(pid);
  }
  return out;
}

std::uint32_t possible_nodes(KernelSource& src, const HostPaths& hp) {
  // "0" or "0-3" (a range list; possible nodes are numbered from 0).
  std::string text;
  if (!read_text(src, hp.sys + "/devices/system/node/possible", text)) return 1;
  std::uint32_t last = 0;
  const std::size_t at = text.find_last_of("-,");
  std::string_view tail = std::string_view(text).substr(at == std::string::npos ? 0 : at + 1);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.remove_suffix(1);
  if (!parse_num(tail, last) || last >= 4096) return 1;
  return last + 1;
}

bool read_sched_ext(KernelSource& src, const HostPaths& hp, FailureDumpReport& r,
                    std::string& ops_name, bool& present) {
  std::string base = hp.sys + "/kernel/sched_ext";
  std::string state;
  present = false;
  if (!read_text(src, base + "/state", state)) {
    r.scx_walker_unavailable = "sched_ext not enabled in this kernel (" + base + " absent)";
    return false;
  }
  present = true;
  while (!state.empty() && (state.back() == '\n' || state.back() == ' ')) state.pop_back();
  if (state != "enabled") {
    r.scx_walker_unavailable = "no sched_ext scheduler attached (state: " + state + ")";
    return false;
  }
  read_text(src, base + "/root/ops", ops_name);
  while (!ops_name.empty() && ops_name.back() == '\n') ops_name.pop_back();
  // Event counters: "NAME VALUE" lines; summed across CPUs by the kernel.
  std::string events;
  if (read_text(src, base + "/root/events", events)) {
    EventCounterSample s;
    std::map<std::string_view, std::int64_t*> fields = {
        {"SCX_EV_SELECT_CPU_FALLBACK", &s.select_cpu_fallback},
        {"SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE", &s.dispatch_local_dsq_offline},
        {"SCX_EV_DISPATCH_KEEP_LAST", &s.dispatch_keep_last},
        {"SCX_EV_ENQ_SKIP_EXITING", &s.enq_skip_exiting},
        {"SCX_EV_ENQ_SKIP_MIGRATION_DISABLED", &s.enq_skip_migration_disabled},
        {"SCX_EV_REENQ_IMMED", &s.reenq_immed},
        {"SCX_EV_REENQ_LOCAL_REPEAT", &s.reenq_local_repeat},
        {"SCX_EV_REFILL_SLICE_DFL", &s.refill_slice_dfl},
        {"SCX_EV_BYPASS_DURATION", &s.bypass_duration},
        {"SCX_EV_BYPASS_DISPATCH", &s.bypass_dispatch},
        {"SCX_EV_BYPASS_ACTIVATE", &s.bypass_activate},
        {"SCX_EV_INSERT_NOT_OWNED", &s.insert_not_owned},
        {"SCX_EV_SUB_BYPASS_DISPATCH", &s.sub_bypass_dispatch}};
    bool any = false;
    for (auto line : lines_of(events)) {
      auto f = split_ws(line);
      if (f.size() < 2) continue;
      auto it = fields.find(f[0]);
      if (it != fields.end() && parse_num(f[1], *it->second)) any = true;
    }
    if (any) r.event_counter_timeline.push_back(s);
  }
  // Replaced by the kernel walk's own answer when it runs (scx_walker.hpp).
  r.scx_walker_unavailable = "rq/DSQ/scx_sched state not read: the capture stopped first";
  return true;
}

}  // namespace scxsnap::capture_detail
