// Live capture against objects loaded into the running kernel (real bpf(2)
// calls, no mocks): two instances of one struct_ops object, per-CPU maps, a
// large hash, a ring buffer, a program array, a stack-trace map, a queue.
#include "bpf_fixture.hpp"
#include "capture/kernel_abi.hpp"
#include "cli_util.hpp"
#include "expect_error.hpp"
#include "scxsnap/scxsnap.hpp"

#include <bpf/btf.h>

#include <atomic>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <sys/wait.h>
#include <thread>

using namespace scxsnap;
using ::testing::Contains;
using ::testing::HasSubstr;

namespace {

void set_link_flag(bpf_object* obj) {
  bpf_map* m = bpf_object__find_map_by_name(obj, "scxsnap_cc");
  ASSERT_NE(m, nullptr);
  bpf_map__set_map_flags(m, bpf_map__map_flags(m) | StructOpsLink::kLinkFlag);
}

const FailureDumpMap* find_map_id(const FailureDumpReport& r, std::uint32_t id) {
  for (const auto& m : r.maps)
    if (m.map_id == id) return &m;
  return nullptr;
}

CaptureOptions only_ids(std::initializer_list<bpf_map*> maps) {
  CaptureOptions o;
  for (bpf_map* m : maps) o.map_ids.push_back(LoadedObject::id_of(m));
  return o;
}

TEST(Capture, LiveVarResolvesThroughTheAttachedStructOps) {
  LoadedObject idle("cc.bpf.o", nullptr, set_link_flag);
  LoadedObject live("cc.bpf.o", nullptr, set_link_flag);
  ASSERT_TRUE(idle.obj && live.obj);
  std::uint64_t idle_v = 111, live_v = 222;
  idle.set_global(".bss", "nr_cong_avoid", &idle_v, 8);
  live.set_global(".bss", "nr_cong_avoid", &live_v, 8);
  StructOpsLink link(bpf_object__find_map_by_name(live.obj, "scxsnap_cc"));
  ASSERT_GE(link.link_fd, 0);

  // Only these two objects' maps: tests running in parallel may load the same object.
  CaptureOptions mine;
  for (const LoadedObject* lo : {&idle, &live}) {
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, lo->obj) mine.map_ids.push_back(LoadedObject::id_of(m));
  }
  auto r = capture(mine);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  Snapshot s(*r);
  EXPECT_EQ(r->active_obj_name, "cc");
  std::uint32_t live_bss = LoadedObject::id_of(live.map_ending(".bss"));
  std::uint32_t idle_bss = LoadedObject::id_of(idle.map_ending(".bss"));
  EXPECT_THAT(r->active_map_ids, Contains(live_bss));
  EXPECT_THAT(r->active_map_ids, ::testing::Not(Contains(idle_bss)));
  // Two copies: var() is ambiguous on its own, then resolves via active().
  EXPECT_EQ(s.vars("nr_cong_avoid").size(), 2u);
  EXPECT_EQ(s.var("nr_cong_avoid").as_u64().value(), 222u);
  EXPECT_EQ(s.live_var("nr_cong_avoid").as_u64().value(), 222u);
  EXPECT_EQ(s.live_var("cc_mode").as_u64().value(), 3u);  // .rodata
  EXPECT_EQ(s.live_var("tick").as_u64().value(), 1u);     // .data
  // The struct_ops value is rendered with vmlinux BTF.
  const FailureDumpMap* ops =
      find_map_id(*r, LoadedObject::id_of(bpf_object__find_map_by_name(live.obj, "scxsnap_cc")));
  ASSERT_NE(ops, nullptr);
  ASSERT_TRUE(ops->value.has_value()) << ops->error.value_or("");
  EXPECT_EQ(ops->value->type_name(), "bpf_struct_ops_tcp_congestion_ops");
  EXPECT_NE(ops->value->get("data.name"), nullptr);
  // Run stats of the active object's programs.
  EXPECT_NE(s.prog_runtime_stats_by_name("scxsnap_cc_ssth"), nullptr);  // names are cut at 15 chars
  EXPECT_GE(s.prog_runtime_stats().size(), 3u);
  // Round trip through JSON, streamed and not, gives the same report.
  auto js = capture_json(mine);
  ASSERT_TRUE(js.has_value());
  auto back = parse_report(*js);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(Snapshot(*back).live_var("nr_cong_avoid").as_u64().value(), 222u);
}

TEST(Capture, WithoutAnAttachedStructOpsNothingIsActive) {
  LoadedObject a("cc.bpf.o", nullptr, set_link_flag);
  LoadedObject b("cc.bpf.o", nullptr, set_link_flag);
  ASSERT_TRUE(a.obj && b.obj);
  auto r = capture(only_ids({a.map_ending(".bss"), b.map_ending(".bss")}));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->active_obj_name.has_value());
  EXPECT_EQ(r->maps.size(), 2u);
  EXPECT_TRUE(error_in(Snapshot(*r).var("nr_cong_avoid")).is<errors::AmbiguousVar>());
}

struct MapsObject : ::testing::Test {
  LoadedObject lo{"maps.bpf.o"};
  int ncpus = libbpf_num_possible_cpus();
};

TEST_F(MapsObject, PerCpuValuesWrittenPerCpu) {
  ASSERT_NE(lo.obj, nullptr);
  bpf_map* arr = lo.map_ending("pcpu_arr");
  bpf_map* hash = lo.map_ending("pcpu_hash");
  struct Slot {
    std::uint64_t count;
    std::uint32_t cpu_tag;
    std::uint32_t pad;
  };
  std::vector<Slot> slots(static_cast<std::size_t>(ncpus));
  for (int c = 0; c < ncpus; ++c)
    slots[static_cast<std::size_t>(c)] =
        Slot{100u + static_cast<std::uint64_t>(c), static_cast<std::uint32_t>(c), 0};
  std::uint32_t k = 2;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(arr), &k, slots.data(), BPF_ANY), 0);
  std::vector<std::uint64_t> hv(static_cast<std::size_t>(ncpus));
  for (int c = 0; c < ncpus; ++c)
    hv[static_cast<std::size_t>(c)] = 7u * static_cast<std::uint64_t>(c + 1);
  std::uint32_t hk = 42;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(hash), &hk, hv.data(), BPF_ANY), 0);

  auto r = capture(only_ids({arr, hash}));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  Snapshot s(*r);
  std::string arr_name = bpf_map__name(arr), hash_name = bpf_map__name(hash);
  auto pa = s.map(arr_name).value();
  EXPECT_EQ(pa.len(), 4u);
  EXPECT_EQ(pa.at(2).cpu_sum_u64("count").value(),
            static_cast<std::uint64_t>(100 * ncpus + ncpus * (ncpus - 1) / 2));
  for (int c = 0; c < ncpus; ++c) {
    EXPECT_EQ(pa.cpu(static_cast<std::size_t>(c)).at(2).get("count").as_u64().value(),
              100u + static_cast<std::uint64_t>(c));
    EXPECT_EQ(pa.cpu(static_cast<std::size_t>(c)).at(2).get("cpu_tag").as_u64().value(),
              static_cast<std::uint64_t>(c));
  }
  auto ph = s.map(hash_name).value();
  SnapshotEntry e =
      ph.find([](const SnapshotEntry& x) { return x.key("").as_u64().value_or(0) == 42; });
  ASSERT_TRUE(e.is_present());
  EXPECT_EQ(e.cpu_max_u64("").value(), 7u * static_cast<std::uint64_t>(ncpus));
  EXPECT_EQ(e.cpu_min_u64("").value(), 7u);
  EXPECT_FALSE(
      ph.cpu(static_cast<std::size_t>(ncpus)).at(0).is_present());  // one slot per possible CPU
}

TEST_F(MapsObject, LargeHashCapsAndFilters) {
  ASSERT_NE(lo.obj, nullptr);
  bpf_map* big = lo.map_ending("big_hash");
  std::uint64_t v[3] = {0, 0, 0};
  for (std::uint32_t k = 0; k < 10000; ++k) {
    v[0] = k;
    v[1] = k * 3ull;
    ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(big), &k, v, BPF_ANY), 0);
  }
  CaptureOptions o = only_ids({big});
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->maps.size(), 1u);
  EXPECT_EQ(r->maps[0].entries.size(), 10000u);
  EXPECT_FALSE(r->maps[0].error.has_value());
  std::set<std::uint64_t> keys;
  for (const auto& en : r->maps[0].entries) keys.insert(en.key->uint_value());
  EXPECT_EQ(keys.size(), 10000u);
  auto hit = Snapshot(*r).map(bpf_map__name(big))->find([](const SnapshotEntry& x) {
    return x.get("a").as_u64().value_or(0) == 9999;
  });
  EXPECT_EQ(hit.get("b").as_u64().value(), 29997u);

  o.max_entries = 100;
  auto capped = capture(o);
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->maps[0].entries.size(), 100u);
  ASSERT_TRUE(capped->maps[0].error.has_value());
  EXPECT_THAT(*capped->maps[0].error, HasSubstr("entry cap reached"));
}

TEST_F(MapsObject, ConcurrentInsertsAndDeletesDuringCapture) {
  ASSERT_NE(lo.obj, nullptr);
  bpf_map* big = lo.map_ending("big_hash");
  std::uint64_t v[3] = {1, 2, 3};
  for (std::uint32_t k = 0; k < 5000; ++k)
    ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(big), &k, v, BPF_ANY), 0);
  std::atomic<bool> stop{false};
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread t;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } churn{stop, std::thread([&] {
            for (std::uint32_t i = 0; !stop; ++i) {
              std::uint32_t k = 5000 + (i % 6000);
              bpf_map_update_elem(bpf_map__fd(big), &k, v, BPF_ANY);
              std::uint32_t d = 5000 + ((i + 3000) % 6000);
              bpf_map_delete_elem(bpf_map__fd(big), &d);
            }
          })};
  CaptureOptions o = only_ids({big});
  for (int round = 0; round < 5; ++round) {
    auto r = capture(o);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->maps.size(), 1u);
    std::set<std::string> keys;
    for (const auto& en : r->maps[0].entries)
      EXPECT_TRUE(keys.insert(en.key_hex).second) << "duplicate " << en.key_hex;
    EXPECT_GE(keys.size(), 5000u);   // the stable keys are always there
    EXPECT_LE(keys.size(), 11000u);  // at most every key that ever existed
  }
}

TEST_F(MapsObject, RingBufferProgramArrayStackTraceAndQueue) {
  ASSERT_NE(lo.obj, nullptr);
  int on = 1;
  lo.set_global(".bss", "produce_enabled", &on, sizeof on);
  bpf_program* prod = bpf_object__find_program_by_name(lo.obj, "produce");
  bpf_link* l = bpf_program__attach(prod);
  ASSERT_FALSE(libbpf_get_error(l));
  for (int i = 0; i < 50; ++i) ::getppid();  // syscalls: the raw tracepoint fires
  bpf_link__destroy(l);
  // Program array slot 3 holds a program.
  bpf_map* jt = lo.map_ending("jump_table");
  std::uint32_t slot = 3;
  int pfd = bpf_program__fd(bpf_object__find_program_by_name(lo.obj, "jump_target"));
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(jt), &slot, &pfd, BPF_ANY), 0);

  bpf_map* rb = lo.map_ending("events");
  bpf_map* st = lo.map_ending("stacks");
  bpf_map* q = lo.map_ending("work_queue");
  auto r = capture(only_ids({rb, jt, st, q}));
  ASSERT_TRUE(r.has_value());
  Snapshot s(*r);
  auto rbm = s.map(bpf_map__name(rb)).value();
  ASSERT_NE(rbm.ringbuf(), nullptr) << rbm.map_error().value_or("");
  EXPECT_EQ(rbm.ringbuf()->capacity, 65536u);
  EXPECT_GE(rbm.ringbuf()->producer_pos, 50u * 16);  // 8-byte records + 8-byte headers
  EXPECT_EQ(rbm.ringbuf()->pending_bytes,
            rbm.ringbuf()->producer_pos - rbm.ringbuf()->consumer_pos);
  auto jtm = s.map(bpf_map__name(jt)).value();
  ASSERT_NE(jtm.fd_array(), nullptr);
  EXPECT_EQ(jtm.fd_array()->populated, 1u);
  EXPECT_EQ(jtm.fd_array()->indices, (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(jtm.fd_array()->scanned, 8u);
  auto stm = s.map(bpf_map__name(st)).value();
  ASSERT_NE(stm.stack_trace(), nullptr);
  EXPECT_EQ(stm.stack_trace()->n_buckets, 128u);
  // An empty queue: peeked, nothing there, nothing missing.
  const FailureDumpMap* qm = find_map_id(*r, LoadedObject::id_of(q));
  ASSERT_NE(qm, nullptr);
  EXPECT_FALSE(qm->error.has_value());
  EXPECT_FALSE(qm->value.has_value());
}

TEST_F(MapsObject, SoftDeadlineRecordsWhatWasCut) {
  ASSERT_NE(lo.obj, nullptr);
  bpf_map* big = lo.map_ending("big_hash");
  std::uint64_t v[3] = {1, 2, 3};
  for (std::uint32_t k = 0; k < 16000; ++k)
    ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(big), &k, v, BPF_ANY), 0);
  CaptureOptions o = only_ids(
      {big, lo.map_ending("pcpu_arr"), lo.map_ending("pcpu_hash"), lo.map_ending("events")});
  o.deadline_ms = 1;  // far less than rendering 16,000 entries takes
  auto r = capture(o);
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->dump_truncated_at_us.has_value());
  EXPECT_GE(*r->dump_truncated_at_us, 1000u);
  bool recorded = r->maps_truncated > 0;
  for (const auto& m : r->maps)
    recorded = recorded || (m.error && m.error->find("deadline") != std::string::npos);
  EXPECT_TRUE(recorded);
  std::size_t got = 0;
  for (const auto& m : r->maps) got += m.entries.size();
  EXPECT_LT(got, 16000u);
}

TEST(Capture, EnableStatsCountsRunsDuringTheCapture) {
  LoadedObject lo("cc.bpf.o", nullptr, set_link_flag);
  ASSERT_NE(lo.obj, nullptr);
  bpf_link* tick = bpf_program__attach(bpf_object__find_program_by_name(lo.obj, "cc_tick"));
  ASSERT_FALSE(libbpf_get_error(tick));
  CaptureOptions o = only_ids({lo.map_ending(".bss")});
  o.all_progs = true;
  o.enable_stats = true;  // runs are counted only while a stats fd is open
  auto r = capture(o);
  bpf_link__destroy(tick);
  ASSERT_TRUE(r.has_value());
  // The capture's own syscalls fired the raw tracepoint. (A cc_tick of an
  // earlier test's process may still be listed while the kernel frees it.)
  bool counted = false;
  for (const auto& p : r->prog_runtime_stats)
    if (p.name == "cc_tick" && p.cnt > 0 && p.nsecs > 0) counted = true;
  EXPECT_TRUE(counted);
}

TEST(CaptureCli, WritesAReportThatShowReads) {
  LoadedObject lo("types.bpf.o");
  ASSERT_NE(lo.obj, nullptr);
  TempDir dir;
  std::string out = dir.path() + "/snap.json";
  std::vector<std::string> args = {"capture", "-o", out};
  for (const char* sec : {".data", ".bss", ".rodata"}) {
    args.push_back("--map-id");
    args.push_back(std::to_string(LoadedObject::id_of(lo.map_ending(sec))));
  }
  CliResult r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rep = load_report(out);
  ASSERT_TRUE(rep.has_value()) << rep.error().message();
  EXPECT_EQ(rep->maps.size(), 3u);  // types.data, types.bss, types.rodata
  EXPECT_EQ(Snapshot(*rep).var("nr_dispatched").as_u64().value(), 907u);
  EXPECT_EQ(run_cli({"var", out, "leader", "--path", "pid"}).out, "1234\n");
}

TEST(CaptureCli, WithoutPrivilegeExits3) {
  CliResult r = run_cli({"--version"});
  ASSERT_EQ(r.exit_code, 0);
  // Drop to an unprivileged user in a child and run the capture there.
  std::string cmd =
      std::string("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all ") +
      SCXSNAP_CLI + " capture -o /dev/null 2>&1; echo rc=$?";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  EXPECT_THAT(out, HasSubstr("rc=3"));
  EXPECT_THAT(out, HasSubstr("this process lacks CAP_SYS_ADMIN, which walking and opening maps by "
                             "id require (it lacks CAP_BPF too)"));
  // Root with CAP_BPF but without CAP_SYS_ADMIN: the message says which one.
  cmd = std::string("setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin ") + SCXSNAP_CLI +
        " capture -o /dev/null 2>&1; echo rc=$?";
  p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  out.clear();
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  EXPECT_THAT(out, HasSubstr("rc=3"));
  EXPECT_THAT(out, HasSubstr("lacks CAP_SYS_ADMIN, which walking and opening maps by id require "
                             "(it has CAP_BPF, which is not enough)"));
}

}  // namespace

namespace {

TEST(WatchAndCheck, LiveSeriesOfARisingCounter) {
  LoadedObject lo("cc.bpf.o", nullptr, set_link_flag);
  ASSERT_NE(lo.obj, nullptr);
  StructOpsLink link(bpf_object__find_map_by_name(lo.obj, "scxsnap_cc"));
  ASSERT_GE(link.link_fd, 0);
  // cc_tick bumps `tick` on every syscall: the counter rises between captures.
  bpf_link* tick = bpf_program__attach(bpf_object__find_program_by_name(lo.obj, "cc_tick"));
  ASSERT_FALSE(libbpf_get_error(tick));
  TempDir dir;
  std::string out = dir.path() + "/series.jsonl";
  std::vector<std::string> args = {"watch", "--interval-ms", "50", "--count", "4", "-o", out};
  bpf_map* m = nullptr;
  bpf_object__for_each_map(m, lo.obj) {
    args.push_back("--map-id");
    args.push_back(std::to_string(LoadedObject::id_of(m)));
  }
  CliResult w = run_cli(args);
  bpf_link__destroy(tick);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto series = SampleSeries::load_jsonl(out);
  ASSERT_TRUE(series.has_value()) << series.error().message();
  ASSERT_EQ(series->len(), 4u);
  EXPECT_EQ(series->rows()[0].tag, "periodic_000");
  EXPECT_EQ(series->rows()[3].tag, "periodic_003");
  auto f = series->bpf_live_u64("tick");
  for (const auto& v : f.values()) ASSERT_TRUE(v.has_value()) << v.error().message();
  EXPECT_GT(*f.values()[3], *f.values()[0]);

  CliResult ok = run_cli({"check", out, "--expect", "nondecreasing(var:tick)", "--expect",
                          "each(var:tick).at_least(1)"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("2 passed, 0 failed"));
  // A band that excludes the real rate (well above 0.000001 per ms) fails.
  CliResult bad = run_cli({"check", out, "--expect", "rate_within(var:tick, 0, 0.000001)"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("FAIL: var:tick (rate_within [0, 0.000001]): rate "));
  EXPECT_THAT(bad.out, HasSubstr("0 passed, 1 failed"));
}

}  // namespace

namespace {

TEST(DiffLive, TwoCapturesAroundAKnownChange) {
  LoadedObject lo("types.bpf.o");
  ASSERT_NE(lo.obj, nullptr);
  CaptureOptions o =
      only_ids({lo.map_ending(".bss"), lo.map_ending(".data"), lo.map_ending("task_map")});
  auto before = capture(o);
  ASSERT_TRUE(before.has_value());
  std::uint64_t runs = 41;
  lo.set_global(".bss", "nr_runs", &runs, sizeof runs);
  std::uint32_t key = 9;
  std::vector<std::uint8_t> val(bpf_map__value_size(lo.map_ending("task_map")), 0);
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(lo.map_ending("task_map")), &key, val.data(), BPF_ANY),
            0);
  auto after = capture(o);
  ASSERT_TRUE(after.has_value());
  auto changes = diff_reports(*before, *after);
  // Host counters (per-CPU time) always move between two captures: keep the BPF changes.
  std::erase_if(changes, [](const Change& c) { return c.kind == Change::Kind::HostDelta; });
  ASSERT_EQ(changes.size(), 2u) << format_changes(changes);
  EXPECT_EQ(
      format_changes(changes),
      "+ task_map[key 9] = task_ctx{pid=0, runtime_ns=0, mode=MODE_IDLE (0), in=inner{lo=0, "
      "hi=0}, comm=[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, "
      "0x00, 0x00, 0x00, 0x00], raw=[0, 0, 0, 0], ={word=0, bytes=[0, 0, 0, 0]}, f=flags{a=0, "
      "b=0, c=0, d=0}}\n~ types.bss nr_runs: 0 → 41 (+41)\n");  // map-id order
}

// The struct_ops state is found through this kernel's BTF, not an assumed
// offset: in every kernel since 5.6 it follows a 4-byte refcount (directly,
// or inside `common` from 6.9), and INUSE is 1.
TEST(KernelAbi, StructOpsStateFromVmlinuxBtf) {
  struct btf* vm = btf__load_vmlinux_btf();
  ASSERT_NE(vm, nullptr);
  const int id = btf__find_by_name_kind(vm, "bpf_struct_ops_tcp_congestion_ops", BTF_KIND_STRUCT);
  ASSERT_GT(id, 0);
  auto st = capture_detail::struct_ops_state(vm, static_cast<std::uint32_t>(id));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->offset, 4u);
  EXPECT_EQ(st->in_use, 1u);
  // A type without a state member has none.
  const int plain = btf__find_by_name_kind(vm, "tcp_congestion_ops", BTF_KIND_STRUCT);
  ASSERT_GT(plain, 0);
  EXPECT_FALSE(capture_detail::struct_ops_state(vm, static_cast<std::uint32_t>(plain)));
  btf__free(vm);
  // A struct_ops link's map id sits at the start of the per-type union.
  struct bpf_link_info info {};
  info.type = BPF_LINK_TYPE_STRUCT_OPS;
  std::uint32_t map_id = 77;
  std::memcpy(reinterpret_cast<char*>(&info) + offsetof(struct bpf_link_info, raw_tracepoint),
              &map_id, sizeof map_id);
  EXPECT_EQ(capture_detail::struct_ops_link_map_id(info, sizeof info), 77u);
  info.type = BPF_LINK_TYPE_RAW_TRACEPOINT;
  EXPECT_FALSE(capture_detail::struct_ops_link_map_id(info, sizeof info));
}

}  // namespace
