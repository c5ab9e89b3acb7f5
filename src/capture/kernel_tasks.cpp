// SPDX-License-Identifier: Apache-2.0
// Task details from kernel memory (kernel_tasks.hpp).
#include "kernel_tasks.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace scxsnap::capture_detail {
namespace {

struct TaskLayout {
  std::optional<MemberRef> pid, tgid, comm, prio, static_prio, normal_prio, rt_priority,
      sched_class, nvcsw, nivcsw, group_leader, real_parent, signal, weight, core_cookie;
  std::optional<MemberRef> nr_threads, sig_nvcsw, sig_nivcsw, sig_pids;  // signal_struct
  std::optional<MemberRef> pid_nr;                                       // struct pid
  std::optional<std::int64_t> pgid_type, sid_type;                       // enum pid_type

  explicit TaskLayout(const KernelTypes& t)
      : pid(t.member("task_struct", "pid")),
        tgid(t.member("task_struct", "tgid")),
        comm(t.member("task_struct", "comm")),
        prio(t.member("task_struct", "prio")),
        static_prio(t.member("task_struct", "static_prio")),
        normal_prio(t.member("task_struct", "normal_prio")),
        rt_priority(t.member("task_struct", "rt_priority")),
        sched_class(t.member("task_struct", "sched_class")),
        nvcsw(t.member("task_struct", "nvcsw")),
        nivcsw(t.member("task_struct", "nivcsw")),
        group_leader(t.member("task_struct", "group_leader")),
        real_parent(t.member("task_struct", "real_parent")),
        signal(t.member("task_struct", "signal")),
        weight(t.member("task_struct", "scx.weight")),
        core_cookie(t.member("task_struct", "core_cookie")),
        nr_threads(t.member("signal_struct", "nr_threads")),
        sig_nvcsw(t.member("signal_struct", "nvcsw")),
        sig_nivcsw(t.member("signal_struct", "nivcsw")),
        sig_pids(t.member("signal_struct", "pids")),
        pid_nr(nr_in_pid(t)),
        pgid_type(t.enumerator("pid_type", "PIDTYPE_PGID")),
        sid_type(t.enumerator("pid_type", "PIDTYPE_SID")) {}

  // struct pid's numbers[0].nr.
  static std::optional<MemberRef> nr_in_pid(const KernelTypes& t) {
    auto numbers = t.member("pid", "numbers");
    auto nr = t.member("upid", "nr");
    if (!numbers || !nr) return std::nullopt;
    return MemberRef{numbers->offset + nr->offset, nr->size};
  }
};

// The task's scheduling class by the class object's address.
std::optional<std::string> class_name(const KernelWalk& w, std::uint64_t cls) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kClasses = {
      {{"fair_sched_class", "fair"},
       {"rt_sched_class", "rt"},
       {"dl_sched_class", "dl"},
       {"idle_sched_class", "idle"},
       {"stop_sched_class", "stop"},
       {"ext_sched_class", "ext"}}};
  for (auto [sym, name] : kClasses) {
    auto it = w.symbols().find(std::string(sym));
    if (it != w.symbols().end() && it->second == cls) return std::string(name);
  }
  return std::nullopt;
}

JsonValue num(std::int64_t v) {
  return JsonValue::number(v);
}
JsonValue unum(std::uint64_t v) {
  return JsonValue::number(v);
}

}  // namespace

std::vector<TaskEnrichment> read_tasks_from_memory(KernelWalk& w,
                                                   std::span<const TaskFound> tasks) {
  const TaskLayout l(w.types());
  std::vector<TaskEnrichment> out;
  if (!l.pid || !l.tgid || !l.comm) return out;
  KernelPeek& peek = w.peek();
  Slice task = Slice::of({l.pid, l.tgid, l.comm, l.prio, l.static_prio, l.normal_prio,
                          l.rt_priority, l.sched_class, l.nvcsw, l.nivcsw, l.group_leader,
                          l.real_parent, l.signal, l.weight, l.core_cookie});
  Slice who = Slice::of({l.pid, l.comm});
  Slice sig = Slice::of({l.nr_threads, l.sig_nvcsw, l.sig_nivcsw, l.sig_pids});
  auto pid_of_pid = [&](std::uint64_t pid_kva) -> std::optional<std::int64_t> {
    if (!pid_kva || !l.pid_nr) return std::nullopt;
    auto v = peek.word(pid_kva + l.pid_nr->offset, l.pid_nr->size);
    if (!v) return std::nullopt;
    return static_cast<std::int32_t>(*v);
  };
  for (const TaskFound& f : tasks) {
    if (!task.read(peek, f.kva)) continue;
    TaskEnrichment t;
    t.pid = static_cast<std::int32_t>(task.s(l.pid));
    t.tgid = static_cast<std::int32_t>(task.s(l.tgid));
    t.comm = task.text(l.comm);
    auto& rest = t.rest;
    if (const std::uint64_t leader = task.u(l.group_leader); leader && who.read(peek, leader))
      rest.emplace_back("group_leader_pid", num(who.s(l.pid)));
    if (const std::uint64_t parent = task.u(l.real_parent); parent && who.read(peek, parent)) {
      rest.emplace_back("real_parent_pid", num(who.s(l.pid)));
      rest.emplace_back("real_parent_comm", JsonValue::string(who.text(l.comm)));
    }
    const std::uint64_t signal = task.u(l.signal);
    const bool have_sig = signal && sig.read(peek, signal);
    if (have_sig && l.sig_pids) {
      for (auto [type, name] : {std::pair{l.pgid_type, "pgid"}, std::pair{l.sid_type, "sid"}}) {
        if (!type) continue;
        const MemberRef slot{l.sig_pids->offset + 8 * static_cast<std::uint32_t>(*type), 8};
        if (auto nr = pid_of_pid(sig.u(slot))) rest.emplace_back(name, num(*nr));
      }
    }
    if (have_sig && l.nr_threads) rest.emplace_back("nr_threads", num(sig.s(l.nr_threads)));
    rest.emplace_back("weight", unum(l.weight ? task.u(l.weight) : 100));
    rest.emplace_back("prio", num(task.s(l.prio)));
    rest.emplace_back("static_prio", num(task.s(l.static_prio)));
    rest.emplace_back("normal_prio", num(task.s(l.normal_prio)));
    rest.emplace_back("rt_priority", unum(task.u(l.rt_priority)));
    auto cls = class_name(w, task.u(l.sched_class));
    if (cls) rest.emplace_back("sched_class", JsonValue::string(*cls));
    if (l.core_cookie) rest.emplace_back("core_cookie", unum(task.u(l.core_cookie)));
    rest.emplace_back("pi_boosted_out_of_scx",
                      JsonValue::boolean(f.runnable && cls && *cls != "ext"));
    rest.emplace_back("nvcsw", unum(task.u(l.nvcsw)));
    rest.emplace_back("nivcsw", unum(task.u(l.nivcsw)));
    if (have_sig && l.sig_nvcsw) rest.emplace_back("signal_nvcsw", unum(sig.u(l.sig_nvcsw)));
    if (have_sig && l.sig_nivcsw) rest.emplace_back("signal_nivcsw", unum(sig.u(l.sig_nivcsw)));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace scxsnap::capture_detail
