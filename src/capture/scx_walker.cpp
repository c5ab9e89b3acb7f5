// SPDX-License-Identifier: Apache-2.0
// The sched_ext walker (scx_walker.hpp): one pass per kind of state, in
// ktstr's order: runqueues, local DSQs, the scheduler instance, bypass DSQs,
// per-node global DSQs, user DSQs; then the tasks found on them.
#include "scx_walker.hpp"

#include "kernel_tasks.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

namespace scxsnap::capture_detail {
namespace {

// Every offset the walk uses, by ktstr's offset groups.
struct Layout {
  // struct rq, from its start (rq.scx.* through the embedded struct scx_rq)
  std::optional<MemberRef> curr, scx, nr_running, flags, cpu_released, ops_qseq, kick_sync,
      nr_immed, clock, runnable_list, local_dsq;
  // struct scx_dispatch_q
  std::optional<MemberRef> dsq_id, dsq_nr, dsq_seq, dsq_list, dsq_hash_node;
  // struct task_struct, through its sched_ext_entity (scx) and scx_dsq_list_node
  std::optional<MemberRef> task_scx, runnable_node, dsq_node, dsq_flags;
  std::optional<MemberRef> list_next;  // struct list_head
  std::uint64_t cursor_flag = 1;       // SCX_DSQ_LNODE_ITER_CURSOR
  // struct scx_sched and what hangs off it
  std::optional<MemberRef> exit_kind, aborting, bypass_depth, dsq_hash_tbl, global_dsqs, pnode,
      pnode_global_dsq, pcpu, pcpu_bypass_dsq;
  std::optional<MemberRef> tbl_size, tbl_buckets, rhash_next;  // rhashtable
  std::vector<std::string> missing;                            // offset groups

  explicit Layout(const KernelTypes& t) {
    auto rq = [&](std::string_view p) { return t.member("rq", p); };
    curr = rq("curr");
    scx = rq("scx");
    nr_running = rq("scx.nr_running");
    flags = rq("scx.flags");
    cpu_released = rq("scx.cpu_released");
    ops_qseq = rq("scx.ops_qseq");
    kick_sync = rq("scx.kick_sync");
    nr_immed = rq("scx.nr_immed");
    clock = rq("scx.clock");
    runnable_list = rq("scx.runnable_list");
    local_dsq = rq("scx.local_dsq");
    auto dsq = [&](std::string_view p) { return t.member("scx_dispatch_q", p); };
    dsq_id = dsq("id");
    dsq_nr = dsq("nr");
    dsq_seq = dsq("seq");
    dsq_list = dsq("list");
    dsq_hash_node = dsq("hash_node");
    task_scx = t.member("task_struct", "scx");
    runnable_node = t.member("task_struct", "scx.runnable_node");
    dsq_node = t.member("task_struct", "scx.dsq_list.node");
    dsq_flags = t.member("task_struct", "scx.dsq_list.flags");
    list_next = t.member("list_head", "next");
    if (auto f = t.enumerator("scx_dsq_lnode_flags", "SCX_DSQ_LNODE_ITER_CURSOR"))
      cursor_flag = static_cast<std::uint64_t>(*f);
    auto sched = [&](std::string_view p) { return t.member("scx_sched", p); };
    exit_kind = sched("exit_kind");
    aborting = sched("aborting");
    bypass_depth = sched("bypass_depth");
    dsq_hash_tbl = sched("dsq_hash.tbl");
    global_dsqs = sched("global_dsqs");
    pnode = sched("pnode");
    pnode_global_dsq = t.member("scx_sched_pnode", "global_dsq");
    pcpu = sched("pcpu");
    pcpu_bypass_dsq = t.member("scx_sched_pcpu", "bypass_dsq");
    tbl_size = t.member("bucket_table", "size");
    tbl_buckets = t.member("bucket_table", "buckets");
    rhash_next = t.member("rhash_head", "next");

    auto need = [&](const char* group, std::initializer_list<const std::optional<MemberRef>*> ms) {
      for (auto* m : ms)
        if (!*m) {
          missing.emplace_back(group);
          return;
        }
    };
    need("rq", {&curr, &scx, &list_next});
    need("scx_rq", {&nr_running, &flags, &cpu_released, &ops_qseq, &runnable_list, &local_dsq});
    need("dsq", {&dsq_id, &dsq_nr, &dsq_seq, &dsq_list});
    need("dsq_lnode", {&dsq_node, &dsq_flags});
    need("task", {&task_scx});
    need("see", {&runnable_node});
    need("scx_sched", {&exit_kind});
  }
  bool has(std::string_view group) const {
    return std::find(missing.begin(), missing.end(), group) == missing.end();
  }
};

struct ListNodes {
  std::vector<std::uint64_t> nodes;  // addresses of the list_heads, head excluded
  bool truncated = false;            // the cap, a loop or an unreadable next pointer
};

// The nodes of the circular list whose head is at `head`.
ListNodes walk_list(KernelPeek& peek, std::uint64_t head, std::uint32_t next_off,
                    std::uint32_t cap) {
  ListNodes out;
  std::unordered_set<std::uint64_t> seen;
  auto next = peek.word(head + next_off);
  while (true) {
    if (!next || *next == 0) {
      out.truncated = true;
      break;
    }
    if (*next == head) break;
    if (out.nodes.size() >= cap || !seen.insert(*next).second) {
      out.truncated = true;
      break;
    }
    out.nodes.push_back(*next);
    next = peek.word(*next + next_off);
  }
  return out;
}

class Walker {
 public:
  Walker(KernelWalk& w, const ScxWalkOptions& o, FailureDumpReport& r)
      : w_(w), peek_(w.peek()), o_(o), r_(r), l_(w.types()) {}

  void run() {
    if (l_.has("rq") && l_.has("scx_rq") && l_.has("task")) runqueues();
    if (l_.has("rq") && l_.has("scx_rq") && l_.has("dsq") && l_.has("dsq_lnode") &&
        l_.has("task") && l_.has("see"))
      local_dsqs();
    std::uint64_t sched = 0;
    if (l_.has("scx_sched")) sched = sched_state();
    if (sched && l_.has("dsq") && l_.has("dsq_lnode") && l_.has("task")) {
      bypass_dsqs();
      global_dsqs();
      user_dsqs();
    }
    tasks();
    reason();
  }

 private:
  void add_task(std::uint64_t kva, bool runnable) {
    auto [it, fresh] = task_index_.try_emplace(kva, found_.size());
    if (fresh)
      found_.push_back({kva, runnable});
    else if (runnable)
      found_[it->second].runnable = true;
  }

  void runqueues() {
    Slice rq = Slice::of({l_.curr, l_.nr_running, l_.flags, l_.cpu_released, l_.ops_qseq,
                          l_.kick_sync, l_.nr_immed, l_.clock});
    auto pid = w_.types().member("task_struct", "pid");
    auto comm = w_.types().member("task_struct", "comm");
    Slice task = Slice::of({pid, comm});
    for (std::uint32_t cpu = 0; cpu < w_.per_cpu_offsets().size(); ++cpu) {
      const std::uint64_t kva = w_.rq(cpu);
      if (!rq.read(peek_, kva)) continue;
      RqScxState s;
      s.cpu = cpu;
      s.nr_running = static_cast<std::uint32_t>(rq.u(l_.nr_running));
      s.flags = static_cast<std::uint32_t>(rq.u(l_.flags));
      s.cpu_released = rq.u(l_.cpu_released) != 0;
      s.ops_qseq = rq.u(l_.ops_qseq);
      if (l_.kick_sync) s.kick_sync = rq.u(l_.kick_sync);
      if (l_.nr_immed) s.nr_immed = static_cast<std::uint32_t>(rq.u(l_.nr_immed));
      if (l_.clock) s.rq_clock = rq.u(l_.clock);
      if (const std::uint64_t curr = rq.u(l_.curr); curr && task.read(peek_, curr)) {
        s.curr_pid = static_cast<std::int32_t>(task.s(pid));
        s.curr_comm = task.text(comm);
      }
      if (l_.has("see")) {
        ListNodes n =
            walk_list(peek_, kva + l_.runnable_list->offset, l_.list_next->offset, kMaxListNodes);
        for (std::uint64_t node : n.nodes) {
          const std::uint64_t t = node - l_.runnable_node->offset;
          s.runnable_task_kvas.push_back(t);
          add_task(t, true);
        }
        s.runnable_truncated = n.truncated;
      }
      r_.rq_scx_states.push_back(std::move(s));
    }
  }

  void read_dsq(std::uint64_t kva, std::string origin) {
    if (kva == 0) return;
    Slice d = Slice::of({l_.dsq_id, l_.dsq_nr, l_.dsq_seq});
    if (!d.read(peek_, kva)) return;
    DsqState s;
    s.id = d.u(l_.dsq_id);
    s.origin = std::move(origin);
    s.nr = static_cast<std::uint32_t>(d.u(l_.dsq_nr));
    s.seq = static_cast<std::uint32_t>(d.u(l_.dsq_seq));
    ListNodes n = walk_list(peek_, kva + l_.dsq_list->offset, l_.list_next->offset, kMaxListNodes);
    const std::int64_t flags_from_node =
        static_cast<std::int64_t>(l_.dsq_flags->offset) - l_.dsq_node->offset;
    for (std::uint64_t node : n.nodes) {
      auto flags = peek_.word(node + static_cast<std::uint64_t>(flags_from_node), 4);
      if (flags && (*flags & l_.cursor_flag)) continue;  // a BPF iterator's cursor
      const std::uint64_t t = node - l_.dsq_node->offset;
      s.task_kvas.push_back(t);
      add_task(t, false);
    }
    s.truncated = n.truncated;
    r_.dsq_states.push_back(std::move(s));
  }

  void local_dsqs() {
    for (std::uint32_t cpu = 0; cpu < w_.per_cpu_offsets().size(); ++cpu)
      read_dsq(w_.rq(cpu) + l_.local_dsq->offset, fmt::format("local cpu {}", cpu));
  }

  // *scx_root; 0 when there is none or it cannot be read.
  std::uint64_t sched_state() {
    auto root = w_.symbols().find("scx_root");
    if (root == w_.symbols().end()) {
      no_root_ =
          "scx_root is not in /proc/kallsyms (a kernel without CONFIG_KALLSYMS_ALL, or before "
          "6.16): no scx_sched state or scheduler DSQs; rq and local-DSQ data are read";
      return 0;
    }
    auto sched = peek_.word(root->second);
    if (!sched || *sched == 0) return 0;
    Slice s = Slice::of({l_.exit_kind, l_.aborting, l_.bypass_depth, l_.dsq_hash_tbl,
                         l_.global_dsqs, l_.pnode, l_.pcpu});
    if (!s.read(peek_, *sched)) return 0;
    ScxSchedState st;
    st.exit_kind = static_cast<std::uint32_t>(s.u(l_.exit_kind));
    st.aborting = l_.aborting && s.u(l_.aborting) != 0;
    st.bypass_depth = l_.bypass_depth ? static_cast<std::int32_t>(s.s(l_.bypass_depth)) : 0;
    st.source = "live";
    st.sched_kva = *sched;
    r_.scx_sched_state = st;
    sched_ = std::move(s);
    return *sched;
  }

  void bypass_dsqs() {
    if (!l_.pcpu || !l_.pcpu_bypass_dsq) return;
    const std::uint64_t base = sched_.u(l_.pcpu);
    if (!base) return;
    for (std::uint32_t cpu = 0; cpu < w_.per_cpu_offsets().size(); ++cpu)
      read_dsq(base + w_.per_cpu_offsets()[cpu] + l_.pcpu_bypass_dsq->offset,
               fmt::format("bypass cpu {}", cpu));
  }

  void global_dsqs() {
    if (l_.global_dsqs) {  // struct scx_dispatch_q **global_dsqs (6.16-6.18)
      const std::uint64_t arr = sched_.u(l_.global_dsqs);
      for (std::uint32_t n = 0; arr && n < o_.nr_nodes; ++n)
        if (auto d = peek_.word(arr + 8ull * n)) read_dsq(*d, fmt::format("global node {}", n));
    } else if (l_.pnode && l_.pnode_global_dsq) {  // struct scx_sched_pnode **pnode
      const std::uint64_t arr = sched_.u(l_.pnode);
      for (std::uint32_t n = 0; arr && n < o_.nr_nodes; ++n)
        if (auto p = peek_.word(arr + 8ull * n); p && *p)
          read_dsq(*p + l_.pnode_global_dsq->offset, fmt::format("global node {}", n));
    }
  }

  void user_dsqs() {
    if (!l_.dsq_hash_tbl || !l_.tbl_size || !l_.tbl_buckets || !l_.rhash_next || !l_.dsq_hash_node)
      return;
    const std::uint64_t tbl = sched_.u(l_.dsq_hash_tbl);
    if (!tbl) return;
    auto size = peek_.word(tbl + l_.tbl_size->offset, l_.tbl_size->size);
    if (!size) return;
    const auto nb = static_cast<std::uint32_t>(std::min<std::uint64_t>(*size, kMaxHashBuckets));
    auto buckets = peek_.bytes(tbl + l_.tbl_buckets->offset, nb * 8u);
    if (!buckets) return;
    std::uint32_t total = 0;
    for (std::uint32_t b = 0; b < nb && total < kMaxHashNodes; ++b) {
      std::uint64_t p = 0;
      std::memcpy(&p, buckets->data() + 8ull * b, 8);
      p &= ~1ull;  // the bucket's lock bit
      std::uint32_t chain = 0;
      // A chain ends at a "nulls" marker: an odd value.
      while (p && !(p & 1) && chain < kMaxHashChain && total < kMaxHashNodes) {
        read_dsq(p - l_.dsq_hash_node->offset, "user");
        ++chain;
        ++total;
        auto next = peek_.word(p + l_.rhash_next->offset);
        if (!next) break;
        p = *next;
      }
    }
  }

  void tasks() {
    if (found_.empty()) return;
    if (found_.size() > kMaxEnrichedTasks) found_.resize(kMaxEnrichedTasks);
    auto rows = read_tasks_from_memory(w_, found_);
    // The walk's tasks first, then any the /proc reader had that it did not find.
    for (TaskEnrichment& t : r_.task_enrichments)
      if (std::none_of(rows.begin(), rows.end(), [&](const auto& x) { return x.pid == t.pid; }))
        rows.push_back(std::move(t));
    r_.task_enrichments = std::move(rows);
    if (!r_.task_enrichments.empty()) r_.task_enrichments_unavailable.reset();
  }

  // ktstr's reason strings, in its order of priority.
  void reason() {
    if (!l_.missing.empty()) {
      std::string list;
      for (const auto& g : l_.missing) list += (list.empty() ? "" : ", ") + g;
      r_.scx_walker_unavailable =
          fmt::format("scx walker partial: missing offset groups [{}]", list);
    } else if (!r_.scx_sched_state) {
      r_.scx_walker_unavailable =
          no_root_.empty() ? std::string("scx_root is NULL (no scheduler attached)") : no_root_;
    } else if (r_.rq_scx_states.empty() && r_.dsq_states.empty()) {
      r_.scx_walker_unavailable = "scx walker reached no state";
    } else {
      r_.scx_walker_unavailable.reset();
    }
  }

  KernelWalk& w_;
  KernelPeek& peek_;
  const ScxWalkOptions& o_;
  FailureDumpReport& r_;
  Layout l_;
  Slice sched_;
  std::string no_root_;
  std::vector<TaskFound> found_;
  std::unordered_map<std::uint64_t, std::size_t> task_index_;
};

}  // namespace

void walk_scx(KernelWalk& w, const ScxWalkOptions& o, FailureDumpReport& r) {
  Walker(w, o, r).run();
}

}  // namespace scxsnap::capture_detail
