// The sched_ext walker against a kernel laid out in test memory: the types of
// tests/bpf/scx_kernel_types.h (after Linux v6.18), their BTF from clang
// (scx_kernel.bpf.o), and a KernelSource that answers kernel-memory reads,
// symbols and per-CPU anchors from that memory. An address nobody placed
// anything at reads as the real reader reads an unmapped one: -EFAULT.
#include "capture/scx_walker.hpp"

#include "../bpf/scx_kernel_types.h"
#include "capture/capture_internal.hpp"
#include "scxsnap/report.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <memory>

using namespace scxsnap;
using namespace scxsnap::capture_detail;
using ::testing::ElementsAre;

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Kernel memory: objects placed at kernel addresses.
class Image {
 public:
  template <class T>
  T& at(std::uint64_t kva, std::size_t size = sizeof(T)) {
    const std::size_t n = (size + 63) / 64 * 64;
    Region& r = regions_[kva];
    r.size = size;
    r.bytes.reset(static_cast<std::byte*>(std::aligned_alloc(64, n)));
    std::memset(r.bytes.get(), 0, n);
    return *reinterpret_cast<T*>(r.bytes.get());
  }
  void word(std::uint64_t kva, std::uint64_t v) { at<std::uint64_t>(kva) = v; }
  // The bytes at [kva, kva + len) when one placed object holds them all.
  const std::byte* find(std::uint64_t kva, std::uint32_t len) const {
    auto it = regions_.upper_bound(kva);
    if (it == regions_.begin()) return nullptr;
    --it;
    if (kva - it->first + len > it->second.size) return nullptr;
    return it->second.bytes.get() + (kva - it->first);
  }

 private:
  struct Region {
    std::size_t size = 0;
    std::unique_ptr<std::byte, FreeDeleter> bytes;
  };
  std::map<std::uint64_t, Region> regions_;
};

class ImageMemory final : public KernelMemory {
 public:
  explicit ImageMemory(const Image& img) : img_(img) {}
  std::uint64_t map_address() const override { return 0; }
  Result<bool> read(std::span<Chunk> chunks) override {
    for (Chunk& c : chunks) {
      const std::byte* p = img_.find(c.kaddr, c.len);
      c.rc = p ? 0 : -EFAULT;
      c.bytes = p ? std::span(reinterpret_cast<const std::uint8_t*>(p), c.len)
                  : std::span<const std::uint8_t>();
    }
    return true;
  }

 private:
  const Image& img_;
};

class ImageKernel final : public KernelSource {
 public:
  Image img;
  std::map<std::string, std::uint64_t> symbols;
  std::vector<std::uint64_t> per_cpu_offsets;
  Result<std::unique_ptr<KernelMemory>> kernel_memory(int) override {
    return std::unique_ptr<KernelMemory>(std::make_unique<ImageMemory>(img));
  }
  std::map<std::string, std::uint64_t> kernel_symbols(
      std::span<const std::string_view> names) override {
    std::map<std::string, std::uint64_t> out;
    for (auto n : names)
      if (auto it = symbols.find(std::string(n)); it != symbols.end()) out.insert(*it);
    return out;
  }
  Result<KernelAnchors> kernel_anchors(const AnchorRequest&) override {
    KernelAnchors a;
    a.per_cpu_offsets = per_cpu_offsets;
    return a;
  }
};

template <class T>
T* kp(std::uint64_t kva) {
  return reinterpret_cast<T*>(kva);
}

std::unique_ptr<struct btf, void (*)(struct btf*)> scx_btf() {
  return {btf__parse(SCXSNAP_BPF_DIR "/scx_kernel.bpf.o", nullptr), btf__free};
}

// Where things are in the test kernel.
constexpr std::uint64_t kRunqueues = 0xffffffff83000000;  // the per-CPU symbol
constexpr std::uint64_t kRqBase = 0xffff888600000000;     // CPU 0's struct rq
constexpr std::uint64_t kRqStride = 0x100000;
constexpr std::uint64_t kScxRoot = 0xffffffff84000000;
constexpr std::uint64_t kSched = 0xffff888200000000;
constexpr std::uint64_t kTable = 0xffff888200100000;
constexpr std::uint64_t kUserDsq = 0xffff888200200000;
constexpr std::uint64_t kGlobalDsqs = 0xffff888200300000;
constexpr std::uint64_t kGlobalDsq = 0xffff888200300100;
constexpr std::uint64_t kCursor = 0xffff888200400000;
constexpr std::uint64_t kExtClass = 0xffffffff82000000;
constexpr std::uint64_t kFairClass = 0xffffffff82000100;
constexpr std::uint64_t kSignal = 0xffff888300000000;
constexpr std::uint64_t kPgid = 0xffff888300001000;
constexpr std::uint64_t kSid = 0xffff888300002000;
constexpr std::uint64_t kDsqLocal = (1ull << 63) | 2;   // SCX_DSQ_LOCAL
constexpr std::uint64_t kDsqGlobal = (1ull << 63) | 1;  // SCX_DSQ_GLOBAL

constexpr std::uint64_t task_at(int pid) {
  return 0xffff888100000000 + 0x1000ull * pid;
}
constexpr std::uint64_t kParent = task_at(1);  // "init"
constexpr std::uint64_t rq_at(std::uint32_t cpu) {
  return kRqBase + kRqStride * cpu;
}

std::uint64_t addr_of(std::uint64_t base, std::size_t off) {
  return base + off;
}

// A list head that points at itself (empty), at kernel address `kva`.
void empty_list(list_head& h, std::uint64_t kva) {
  h.next = h.prev = kp<list_head>(kva);
}

task_struct& place_task(Image& img, int pid, const char* comm, std::uint64_t cls) {
  task_struct& t = img.at<task_struct>(task_at(pid));
  t.pid = pid;
  t.tgid = pid;
  std::strncpy(t.comm, comm, sizeof t.comm - 1);
  t.prio = t.static_prio = t.normal_prio = 120;
  t.scx.weight = 100;
  t.sched_class = kp<const sched_class>(cls);
  t.group_leader = kp<task_struct>(task_at(pid));
  t.real_parent = kp<task_struct>(kParent);
  t.signal = kp<signal_struct>(kSignal);
  t.nvcsw = 10 + static_cast<unsigned long>(pid) % 10;
  t.nivcsw = 2;
  return t;
}

// Links `nodes` (kernel addresses of list_heads, whose objects are `objs`)
// after the head at `head_kva`.
void link(list_head& head, std::uint64_t head_kva, const std::vector<list_head*>& objs,
          const std::vector<std::uint64_t>& nodes) {
  std::uint64_t prev = head_kva;
  list_head* prev_obj = &head;
  for (std::size_t i = 0; i < objs.size(); ++i) {
    prev_obj->next = kp<list_head>(nodes[i]);
    objs[i]->prev = kp<list_head>(prev);
    prev = nodes[i];
    prev_obj = objs[i];
  }
  prev_obj->next = kp<list_head>(head_kva);
  head.prev = kp<list_head>(prev);
}

// Two CPUs, a scheduler with one user DSQ and a global DSQ, five tasks:
//   CPU 0 runs 101 (ext), which is also queued on its local DSQ;
//   CPU 1's runnable list loops (103 -> 104 -> 103), 103 is in the fair class;
//   102 waits on user DSQ 0x10 behind a BPF iterator's cursor.
void build(ImageKernel& k, std::uint32_t nr_nodes_placed = 1) {
  Image& img = k.img;
  k.symbols = {{"runqueues", kRunqueues},
               {"scx_root", kScxRoot},
               {"ext_sched_class", kExtClass},
               {"fair_sched_class", kFairClass}};
  for (std::uint32_t cpu = 0; cpu < 2; ++cpu) k.per_cpu_offsets.push_back(rq_at(cpu) - kRunqueues);

  task_struct& parent = place_task(img, 1, "init", kFairClass);
  parent.real_parent = kp<task_struct>(kParent);
  (void)parent;
  signal_struct& sig = img.at<signal_struct>(kSignal);
  sig.nr_threads = 3;
  sig.nvcsw = 21;
  sig.nivcsw = 4;
  sig.pids[PIDTYPE_PGID] = kp<pid>(kPgid);
  sig.pids[PIDTYPE_SID] = kp<pid>(kSid);
  img.at<pid>(kPgid).numbers[0].nr = 100;
  img.at<pid>(kSid).numbers[0].nr = 50;

  task_struct& t101 = place_task(img, 101, "worker-a", kExtClass);
  task_struct& t102 = place_task(img, 102, "worker-b", kExtClass);
  task_struct& t103 = place_task(img, 103, "boosted", kFairClass);
  task_struct& t104 = place_task(img, 104, "worker-d", kExtClass);

  const std::size_t scx = offsetof(rq, scx);
  const std::size_t runnable = scx + offsetof(scx_rq, runnable_list);
  const std::size_t local_list = scx + offsetof(scx_rq, local_dsq) + offsetof(scx_dispatch_q, list);
  const std::size_t runnable_node =
      offsetof(task_struct, scx) + offsetof(sched_ext_entity, runnable_node);
  const std::size_t dsq_node = offsetof(task_struct, scx) + offsetof(sched_ext_entity, dsq_list) +
                               offsetof(scx_dsq_list_node, node);

  rq& rq0 = img.at<rq>(rq_at(0));
  rq0.cpu = 0;
  rq0.nr_running = 1;
  rq0.curr = kp<task_struct>(task_at(101));
  rq0.scx.nr_running = 1;
  rq0.scx.flags = 1;
  rq0.scx.ops_qseq = 88;
  rq0.scx.clock = 5000;
  rq0.scx.local_dsq.id = kDsqLocal;
  rq0.scx.local_dsq.nr = 1;
  rq0.scx.local_dsq.seq = 7;
  link(rq0.scx.runnable_list, rq_at(0) + runnable, {&t101.scx.runnable_node},
       {task_at(101) + runnable_node});
  link(rq0.scx.local_dsq.list, rq_at(0) + local_list, {&t101.scx.dsq_list.node},
       {task_at(101) + dsq_node});

  rq& rq1 = img.at<rq>(rq_at(1));
  rq1.cpu = 1;
  rq1.curr = kp<task_struct>(task_at(104));
  rq1.scx.nr_running = 2;
  rq1.scx.cpu_released = true;
  rq1.scx.local_dsq.id = kDsqLocal;
  empty_list(rq1.scx.local_dsq.list, rq_at(1) + local_list);
  // 103 -> 104 -> 103: a loop that never comes back to the head.
  rq1.scx.runnable_list.next = kp<list_head>(task_at(103) + runnable_node);
  t103.scx.runnable_node.next = kp<list_head>(task_at(104) + runnable_node);
  t104.scx.runnable_node.next = kp<list_head>(task_at(103) + runnable_node);

  img.word(kScxRoot, kSched);
  scx_sched& s = img.at<scx_sched>(kSched);
  s.exit_kind.counter = 1026;
  s.dsq_hash.tbl = kp<bucket_table>(kTable);
  s.global_dsqs = kp<scx_dispatch_q*>(kGlobalDsqs);
  img.at<std::uint64_t>(kGlobalDsqs, 8 * nr_nodes_placed) = kGlobalDsq;  // node 1: unmapped
  if (nr_nodes_placed > 1) {
    auto* arr = reinterpret_cast<std::uint64_t*>(const_cast<std::byte*>(img.find(kGlobalDsqs, 16)));
    arr[1] = 0xffff888700000000;  // nothing there
  }
  scx_dispatch_q& g = img.at<scx_dispatch_q>(kGlobalDsq);
  g.id = kDsqGlobal;
  g.seq = 40;
  empty_list(g.list, addr_of(kGlobalDsq, offsetof(scx_dispatch_q, list)));

  // The hash table: four buckets, the DSQ in bucket 2 (its lock bit set),
  // the chain ended by a nulls marker.
  bucket_table& tbl = img.at<bucket_table>(kTable, sizeof(bucket_table) + 3 * 8);
  tbl.size = 4;
  auto* buckets = reinterpret_cast<std::uint64_t*>(
      const_cast<std::byte*>(img.find(kTable + offsetof(bucket_table, buckets), 32)));
  buckets[2] = (kUserDsq + offsetof(scx_dispatch_q, hash_node)) | 1;
  scx_dispatch_q& u = img.at<scx_dispatch_q>(kUserDsq);
  u.id = 0x10;
  u.nr = 1;
  u.seq = 3;
  u.hash_node.next = kp<rhash_head>((2ull << 1) | 1);
  scx_dsq_list_node& cursor = img.at<scx_dsq_list_node>(kCursor);
  cursor.flags = SCX_DSQ_LNODE_ITER_CURSOR;
  link(u.list, addr_of(kUserDsq, offsetof(scx_dispatch_q, list)),
       {&cursor.node, &t102.scx.dsq_list.node}, {kCursor, task_at(102) + dsq_node});
}

std::unique_ptr<KernelWalk> open_walk(ImageKernel& k, const struct btf* b) {
  auto w = KernelWalk::open(k, b);
  EXPECT_TRUE(w.has_value()) << w.error().message();
  return w ? std::move(*w) : nullptr;
}

// A kept field of a task row; a failure (and null) when it is absent.
const JsonValue* field(const TaskEnrichment& t, std::string_view name) {
  static const JsonValue kAbsent;
  const JsonValue* v = t.field(name);
  if (!v) {
    std::string have;
    for (const auto& [k, unused] : t.rest) have += " " + k;
    ADD_FAILURE() << "task " << t.pid << " has no " << name << "; it has" << have;
    return &kAbsent;
  }
  return v;
}

TEST(ScxWalker, ReadsRunqueuesDsqsTheSchedulerAndItsTasksThroughBtf) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k);
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->runqueues_from(), "/proc/kallsyms");
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{}, r);
  EXPECT_FALSE(r.scx_walker_unavailable.has_value()) << *r.scx_walker_unavailable;

  ASSERT_EQ(r.rq_scx_states.size(), 2u);
  const RqScxState& c0 = r.rq_scx_states[0];
  EXPECT_EQ(c0.cpu, 0u);
  EXPECT_EQ(c0.nr_running, 1u);
  EXPECT_EQ(c0.flags, 1u);
  EXPECT_FALSE(c0.cpu_released);
  EXPECT_EQ(c0.ops_qseq, 88u);
  EXPECT_EQ(c0.rq_clock, std::optional<std::uint64_t>(5000));
  EXPECT_FALSE(c0.kick_sync.has_value());  // not in v6.18's struct scx_rq
  EXPECT_FALSE(c0.nr_immed.has_value());
  EXPECT_EQ(c0.curr_pid, std::optional<std::int32_t>(101));
  EXPECT_EQ(c0.curr_comm, std::optional<std::string>("worker-a"));
  EXPECT_THAT(c0.runnable_task_kvas, ElementsAre(task_at(101)));
  EXPECT_FALSE(c0.runnable_truncated);
  const RqScxState& c1 = r.rq_scx_states[1];
  EXPECT_TRUE(c1.cpu_released);
  EXPECT_EQ(c1.nr_running, 2u);
  EXPECT_EQ(c1.curr_pid, std::optional<std::int32_t>(104));
  EXPECT_THAT(c1.runnable_task_kvas, ElementsAre(task_at(103), task_at(104)));
  EXPECT_TRUE(c1.runnable_truncated);  // the loop

  ASSERT_EQ(r.dsq_states.size(), 4u);
  EXPECT_EQ(r.dsq_states[0].origin, "local cpu 0");
  EXPECT_EQ(r.dsq_states[0].id, kDsqLocal);
  EXPECT_EQ(r.dsq_states[0].nr, 1u);
  EXPECT_EQ(r.dsq_states[0].seq, 7u);
  EXPECT_THAT(r.dsq_states[0].task_kvas, ElementsAre(task_at(101)));
  EXPECT_EQ(r.dsq_states[1].origin, "local cpu 1");
  EXPECT_TRUE(r.dsq_states[1].task_kvas.empty());
  EXPECT_FALSE(r.dsq_states[1].truncated);
  EXPECT_EQ(r.dsq_states[2].origin, "global node 0");
  EXPECT_EQ(r.dsq_states[2].id, kDsqGlobal);
  EXPECT_EQ(r.dsq_states[2].seq, 40u);
  EXPECT_EQ(r.dsq_states[3].origin, "user");
  EXPECT_EQ(r.dsq_states[3].id, 0x10u);
  EXPECT_THAT(r.dsq_states[3].task_kvas, ElementsAre(task_at(102)));  // the cursor skipped

  ASSERT_TRUE(r.scx_sched_state.has_value());
  EXPECT_EQ(r.scx_sched_state->exit_kind, 1026u);
  EXPECT_FALSE(r.scx_sched_state->aborting);  // v6.18 has no such member
  EXPECT_EQ(r.scx_sched_state->source, std::optional<std::string>("live"));
  EXPECT_EQ(r.scx_sched_state->sched_kva, std::optional<std::uint64_t>(kSched));

  // Tasks in the order found, each once.
  ASSERT_EQ(r.task_enrichments.size(), 4u);
  std::vector<std::int32_t> pids;
  for (const auto& t : r.task_enrichments) pids.push_back(t.pid);
  EXPECT_THAT(pids, ElementsAre(101, 103, 104, 102));
  const TaskEnrichment& t = r.task_enrichments[0];
  EXPECT_EQ(t.comm, "worker-a");
  EXPECT_EQ(t.tgid, 101);
  EXPECT_EQ(field(t, "group_leader_pid")->as_i64(), 101);
  EXPECT_EQ(field(t, "real_parent_pid")->as_i64(), 1);
  EXPECT_EQ(field(t, "real_parent_comm")->text(), "init");
  EXPECT_EQ(field(t, "pgid")->as_i64(), 100);
  EXPECT_EQ(field(t, "sid")->as_i64(), 50);
  EXPECT_EQ(field(t, "nr_threads")->as_i64(), 3);
  EXPECT_EQ(field(t, "weight")->as_u64(), 100u);
  EXPECT_EQ(field(t, "prio")->as_i64(), 120);
  EXPECT_EQ(field(t, "sched_class")->text(), "ext");
  EXPECT_FALSE(field(t, "pi_boosted_out_of_scx")->bool_value());
  EXPECT_EQ(field(t, "nvcsw")->as_u64(), 11u);
  EXPECT_EQ(field(t, "signal_nvcsw")->as_u64(), 21u);
  EXPECT_EQ(field(t, "signal_nivcsw")->as_u64(), 4u);
  // 103 is on a runnable list but in the fair class: moved out of ext by a PI boost.
  EXPECT_EQ(field(r.task_enrichments[1], "sched_class")->text(), "fair");
  EXPECT_TRUE(field(r.task_enrichments[1], "pi_boosted_out_of_scx")->bool_value());
  // 102 is only queued, not runnable on a runqueue.
  EXPECT_FALSE(field(r.task_enrichments[3], "pi_boosted_out_of_scx")->bool_value());
}

TEST(ScxWalker, AnUnmappedDsqIsLeftOutNotFaultedIn) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k, 2);
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{2}, r);
  std::vector<std::string> origins;
  for (const auto& d : r.dsq_states) origins.push_back(d.origin);
  EXPECT_THAT(origins, ElementsAre("local cpu 0", "local cpu 1", "global node 0", "user"));
}

TEST(ScxWalker, ListsStopAtTheCap) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k);
  // CPU 0's runnable list: kMaxListNodes + 4 nodes in no task.
  const std::size_t runnable = offsetof(rq, scx) + offsetof(scx_rq, runnable_list);
  const std::uint64_t head = rq_at(0) + runnable;
  const std::uint64_t first = 0xffff888500000000;
  const std::uint32_t n = kMaxListNodes + 4;
  rq* rq0 = reinterpret_cast<rq*>(const_cast<std::byte*>(k.img.find(rq_at(0), sizeof(rq))));
  rq0->scx.runnable_list.next = kp<list_head>(first);
  for (std::uint32_t i = 0; i < n; ++i)
    k.img.at<list_head>(first + 16ull * i).next =
        kp<list_head>(i + 1 < n ? first + 16ull * (i + 1) : head);
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{}, r);
  ASSERT_FALSE(r.rq_scx_states.empty());
  EXPECT_EQ(r.rq_scx_states[0].runnable_task_kvas.size(), kMaxListNodes);
  EXPECT_TRUE(r.rq_scx_states[0].runnable_truncated);
}

TEST(ScxWalker, WithoutScxRootInKallsymsItSaysSoAndStillReadsTheRunqueues) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k);
  k.symbols.erase("scx_root");
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{}, r);
  EXPECT_FALSE(r.scx_sched_state.has_value());
  EXPECT_EQ(r.rq_scx_states.size(), 2u);
  EXPECT_EQ(r.dsq_states.size(), 2u);  // the local DSQs only
  ASSERT_TRUE(r.scx_walker_unavailable.has_value());
  EXPECT_THAT(*r.scx_walker_unavailable,
              ::testing::StartsWith("scx_root is not in /proc/kallsyms"));
}

TEST(ScxWalker, ANullScxRootIsKtstrsNoSchedulerAttached) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k);
  k.img.word(kScxRoot, 0);
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{}, r);
  EXPECT_EQ(r.scx_walker_unavailable,
            std::optional<std::string>("scx_root is NULL (no scheduler attached)"));
  EXPECT_EQ(r.rq_scx_states.size(), 2u);
}

// A kernel without sched_ext: struct rq has no scx. Built with libbpf's BTF writer.
TEST(ScxWalker, MissingTypesAreNamedAsKtstrsOffsetGroups) {
  std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new_empty(), btf__free);
  const int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  const int ptr = btf__add_ptr(b.get(), 0);
  const int rqt = btf__add_struct(b.get(), "rq", 16);
  btf__add_field(b.get(), "curr", ptr, 0, 0);
  btf__add_field(b.get(), "cpu", u32, 64, 0);
  const int arr = btf__add_struct(b.get(), "bpf_array", 8);
  btf__add_field(b.get(), "pptrs", ptr, 0, 0);
  ASSERT_GT(rqt, 0);
  ASSERT_GT(arr, 0);
  ImageKernel k;
  k.symbols = {{"runqueues", kRunqueues}};
  k.per_cpu_offsets = {rq_at(0) - kRunqueues};
  k.img.at<std::uint64_t>(rq_at(0), 16);  // cpu 0
  auto w = open_walk(k, b.get());
  ASSERT_NE(w, nullptr);
  FailureDumpReport r;
  walk_scx(*w, ScxWalkOptions{}, r);
  EXPECT_EQ(r.scx_walker_unavailable,
            std::optional<std::string>("scx walker partial: missing offset groups [rq, scx_rq, "
                                       "dsq, dsq_lnode, task, see, scx_sched]"));
  EXPECT_TRUE(r.rq_scx_states.empty());
}

TEST(KernelWalk, RunqueuesThatDoNotSayTheirCpuAreRefused) {
  auto b = scx_btf();
  ASSERT_NE(b, nullptr);
  ImageKernel k;
  build(k);
  k.per_cpu_offsets[1] = k.per_cpu_offsets[0];  // CPU 1's base wrong: it reads CPU 0's rq
  auto w = KernelWalk::open(k, b.get());
  ASSERT_FALSE(w.has_value());
  EXPECT_THAT(w.error().message(), ::testing::HasSubstr("CPU 1's struct rq"));
  EXPECT_THAT(w.error().message(), ::testing::HasSubstr("says CPU 0"));
}

// The same kernel, seen by a whole capture: a host whose sysfs says sched_ext
// is enabled, with no maps or programs; the kernel's half is in the report
// and survives its JSON.
class SchedExtHost final : public KernelSource {
 public:
  explicit SchedExtHost(ImageKernel& k) : k_(k) {}
  int next_map_id(std::uint32_t, std::uint32_t*) override { return -ENOENT; }
  int next_prog_id(std::uint32_t, std::uint32_t*) override { return -ENOENT; }
  std::vector<std::uint32_t> struct_ops_link_map_ids() override { return {}; }
  struct btf* vmlinux_btf(int* err) override {
    struct btf* b = btf__parse(SCXSNAP_BPF_DIR "/scx_kernel.bpf.o", nullptr);
    if (!b) *err = -ENOENT;
    return b;
  }
  int read_file(const std::string& path, std::string* out) override {
    if (path == "/sys/kernel/sched_ext/state")
      *out = "enabled\n";
    else if (path == "/sys/kernel/sched_ext/root/ops")
      *out = "walked\n";
    else if (path.starts_with("/sys/kernel/sched_ext"))
      return -ENOENT;
    else
      return KernelSource::read_file(path, out);
    return 0;
  }
  int list_dir(const std::string& path, std::vector<DirEntry>* out) override {
    if (path == "/proc") return 0;  // no task of this host in the ext class
    return KernelSource::list_dir(path, out);
  }
  Result<std::unique_ptr<KernelMemory>> kernel_memory(int fd) override {
    return k_.kernel_memory(fd);
  }
  std::map<std::string, std::uint64_t> kernel_symbols(
      std::span<const std::string_view> names) override {
    return k_.kernel_symbols(names);
  }
  Result<KernelAnchors> kernel_anchors(const AnchorRequest& r) override {
    return k_.kernel_anchors(r);
  }

 private:
  ImageKernel& k_;
};

TEST(ScxWalkerCapture, ACaptureOnASchedExtHostCarriesTheKernelsHalf) {
  ImageKernel k;
  build(k);
  SchedExtHost host(k);
  auto r = capture_detail::capture_model(CaptureOptions{}, host);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(r->scx_walker_unavailable.has_value()) << *r->scx_walker_unavailable;
  EXPECT_EQ(r->rq_scx_states.size(), 2u);
  EXPECT_EQ(r->dsq_states.size(), 4u);
  ASSERT_TRUE(r->scx_sched_state.has_value());
  EXPECT_EQ(r->scx_sched_state->exit_kind, 1026u);
  ASSERT_FALSE(r->task_enrichments.empty());
  EXPECT_EQ(r->task_enrichments[0].pid, 101);
  EXPECT_FALSE(r->task_enrichments_unavailable.has_value());
  // Written and read back: the same kernel half.
  auto text = to_json(*r);
  auto back = parse_report(text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->rq_scx_states, r->rq_scx_states);
  EXPECT_EQ(back->dsq_states, r->dsq_states);
  EXPECT_EQ(back->scx_sched_state, r->scx_sched_state);
  EXPECT_EQ(back->task_enrichments, r->task_enrichments);
}

}  // namespace
