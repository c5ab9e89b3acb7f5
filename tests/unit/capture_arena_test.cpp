// Arena capture on a real arena in the running kernel (tests/bpf/arena.bpf.c):
// pages allocated by a program (kfunc) and by user space are captured with
// their bytes, every other page is left unallocated (checked independently:
// the kernel still lets a program allocate it), and `__arena` globals are
// found where libbpf placed them and rendered through the object's BTF.
#include "bpf_fixture.hpp"
#include "capture/arena_reader.hpp"
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"
#include "snapshot/field_walk.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <set>
#include <sys/mman.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint32_t kPages = 64;
constexpr std::uint64_t kUserVm = 1ull << 45;  // the fixed user address (map_extra); scx uses
                                               // 1 << 44, inside ASan's shadow memory

struct PageArgs {
  std::uint64_t addr;
  std::uint32_t pages;
  std::int32_t taken;
};

// The object, its arena mapped into this process as a scheduler's user
// space maps it.
// Skipped, saying why, where the kernel refuses arenas (the object cannot
// even be loaded there).
struct ArenaObject : ::testing::Test {
  std::optional<LoadedObject> loaded;
  std::uint8_t* user = nullptr;
  void SetUp() override {
    SCXSNAP_SKIP_WITHOUT_ARENAS();
    loaded.emplace("arena.bpf.o", nullptr, [](bpf_object* o) {
      bpf_map__set_map_extra(bpf_object__find_map_by_name(o, "sched_arena"), kUserVm);
    });
    ASSERT_NE(lo().obj, nullptr);
    void* p = ::mmap(reinterpret_cast<void*>(kUserVm), kPages * kPage, PROT_READ | PROT_WRITE,
                     MAP_SHARED, arena_fd(), 0);
    ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
    ASSERT_EQ(p, reinterpret_cast<void*>(kUserVm));
    user = static_cast<std::uint8_t*>(p);
  }
  void TearDown() override {
    if (user) ::munmap(user, kPages * kPage);
  }
  const LoadedObject& lo() const { return *loaded; }
  int arena_fd() const { return bpf_map__fd(lo().map_ending("sched_arena")); }
  std::uint32_t arena_id() const { return LoadedObject::id_of(lo().map_ending("sched_arena")); }
  // Runs alloc_at (or free_at) on page k; alloc_at's `taken` says whether
  // the page was already allocated.
  int run(const char* prog, std::uint32_t k) {
    PageArgs a{kUserVm + k * kPage, 1, -1};
    LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof a);
    int fd = bpf_program__fd(bpf_object__find_program_by_name(lo().obj, prog));
    EXPECT_EQ(bpf_prog_test_run_opts(fd, &o), 0) << prog << ": " << std::strerror(errno);
    return a.taken;
  }
  bool allocated(std::uint32_t k) {
    if (run("alloc_at", k) == 1) return true;
    run("free_at", k);  // it was free: give it back
    return false;
  }
  FailureDumpMap capture_arena(std::uint32_t max_entries = 0) {
    CaptureOptions o;
    o.map_ids = {arena_id()};
    o.max_entries = max_entries;
    auto r = capture(o);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    EXPECT_EQ(r->maps.size(), 1u);
    return r->maps.at(0);
  }
};

TEST_F(ArenaObject, AllocatedPagesAreCapturedAndNoOtherPageIsAllocated) {
  // User space writes pages 0 and 3 (its faults allocate them); a program
  // allocates page 9 (zeroed). Nothing else was ever allocated.
  for (std::uint64_t i = 0; i < kPage; ++i) {
    user[i] = static_cast<std::uint8_t>(i * 7);
    user[3 * kPage + i] = static_cast<std::uint8_t>(0xa0 ^ i);
  }
  ASSERT_EQ(run("alloc_at", 9), 0);
  auto m = capture_arena();
  ASSERT_TRUE(m.arena.has_value());
  const ArenaSnapshot& a = *m.arena;
  EXPECT_EQ(a.declared_pages, kPages);
  EXPECT_EQ(a.user_vm_start, kUserVm);
  EXPECT_NE(a.kern_vm_start, 0u);
  EXPECT_FALSE(a.truncated);
  EXPECT_FALSE(a.span_capped);
  ASSERT_EQ(a.pages.size(), 3u);
  EXPECT_EQ(a.pages[0].user_addr, kUserVm);
  EXPECT_EQ(a.pages[1].user_addr, kUserVm + 3 * kPage);
  EXPECT_EQ(a.pages[2].user_addr, kUserVm + 9 * kPage);
  EXPECT_TRUE(std::equal(a.pages[0].bytes.begin(), a.pages[0].bytes.end(), user));
  EXPECT_TRUE(std::equal(a.pages[1].bytes.begin(), a.pages[1].bytes.end(), user + 3 * kPage));
  EXPECT_EQ(a.pages[2].bytes, std::vector<std::uint8_t>(kPage, 0));
  // The object's .addr_space.1 exists in its BTF but libbpf 1.1 placed it
  // nowhere: said so, not guessed.
  ASSERT_TRUE(m.error.has_value());
  EXPECT_THAT(*m.error, HasSubstr("no program instruction refers to them"));
  EXPECT_FALSE(m.value.has_value());
  // Independently of scxsnap: the kernel still has exactly those three pages.
  std::set<std::uint32_t> have;
  for (std::uint32_t k = 0; k < kPages; ++k)
    if (allocated(k)) have.insert(k);
  EXPECT_EQ(have, (std::set<std::uint32_t>{0, 3, 9}));
}

TEST_F(ArenaObject, FreeRangeTreeAndPageByPageScanFindTheSamePages) {
  // Runs and holes, pages freed again, pages at the span's end: the arena's
  // free-range tree (the fast path) must give what trying every page gives.
  for (std::uint32_t k : {2u, 5u, 6u, 7u, 62u, 63u}) user[k * kPage] = static_cast<std::uint8_t>(k);
  ASSERT_EQ(run("alloc_at", 20), 0);
  ASSERT_EQ(run("alloc_at", 21), 0);
  run("free_at", 6);
  run("free_at", 21);
  using capture_detail::ArenaScan;
  auto tree = capture_detail::arena_pages(arena_fd(), ArenaScan::FreeTree);
  auto every = capture_detail::arena_pages(arena_fd(), ArenaScan::EveryPage);
  ASSERT_TRUE(tree.has_value()) << tree.error().message();
  ASSERT_TRUE(every.has_value()) << every.error().message();
  EXPECT_EQ(*tree, *every);
  std::vector<std::uint64_t> at;
  for (const auto& p : *tree) at.push_back((p.user_addr - kUserVm) / kPage);
  EXPECT_EQ(at, (std::vector<std::uint64_t>{2, 5, 7, 20, 62, 63}));
  EXPECT_EQ(tree->at(5).bytes.at(0), 63);
}

struct ArenaTask {
  std::uint64_t runs;
  std::uint32_t cpu, pad;
  std::uint64_t next;
};

TEST_F(ArenaObject, PointersIntoTheArenaAreFollowedIntoCapturedPages) {
  // Two tasks on page 3, linked; the .bss points at the first, at a page
  // never allocated, and outside the arena.
  const std::uint64_t t1 = kUserVm + 3 * kPage + 64, t2 = t1 + 32, gone = kUserVm + 40 * kPage;
  ArenaTask a{1000, 3, 0, t2}, b{2000, 5, 0, 0};
  std::memcpy(user + (t1 - kUserVm), &a, sizeof a);
  std::memcpy(user + (t2 - kUserVm), &b, sizeof b);
  const std::uint64_t kernel = 0xffff888012345678ull;
  lo().set_global(".bss", "first_task", &t1, 8);
  lo().set_global(".bss", "missing_task", &gone, 8);
  lo().set_global(".bss", "kernel_ptr", &kernel, 8);
  CaptureOptions o;
  o.map_ids = {arena_id(), LoadedObject::id_of(lo().map_ending(".bss"))};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const FailureDumpMap* bss = nullptr;
  for (const auto& m : r->maps)
    if (m.name.ends_with(".bss")) bss = &m;
  ASSERT_NE(bss, nullptr);
  ASSERT_TRUE(bss->value.has_value());
  const RenderedValue* first = detail::lookup_member(*bss->value, "first_task");
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(first->kind(), ValueKind::Ptr);
  EXPECT_EQ(first->uint_value(), t1);
  ASSERT_NE(first->cast_annotation(), nullptr);
  EXPECT_EQ(*first->cast_annotation(), "cast→arena");
  ASSERT_NE(first->deref(), nullptr);
  Snapshot s(*r);
  EXPECT_EQ(s.var("first_task").get("runs").as_u64().value(), 1000u);
  EXPECT_EQ(s.var("first_task").get("cpu").as_u64().value(), 3u);
  // One level deep: the target's own pointer is labelled with its offset.
  const RenderedValue* next = detail::lookup_member(*first->deref(), "next");
  ASSERT_NE(next, nullptr);
  ASSERT_NE(next->deref_skipped_reason(), nullptr);
  EXPECT_EQ(*next->deref_skipped_reason(),
            fmt::format("arena offset 0x{:x}: pointers inside a followed pointer's target are "
                        "not followed",
                        t2 - kUserVm));
  const RenderedValue* missing = detail::lookup_member(*bss->value, "missing_task");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->deref(), nullptr);
  ASSERT_NE(missing->deref_skipped_reason(), nullptr);
  EXPECT_EQ(*missing->deref_skipped_reason(),
            "arena offset 0x28000: its target is not in a captured page");
  const RenderedValue* kp = detail::lookup_member(*bss->value, "kernel_ptr");
  ASSERT_NE(kp, nullptr);
  EXPECT_EQ(kp->cast_annotation(), nullptr);
  EXPECT_THAT(*kp->deref_skipped_reason(), HasSubstr("kernel memory behind pointers is not read"));
  // The streamed JSON (CLI) and a native snapshot render the same pointers.
  TempDir d;
  const std::string js = d.path() + "/p.json", snap = d.path() + "/p.scxsnap",
                    back = d.path() + "/back.json";
  ASSERT_EQ(run_cli({"capture", "--map-id", std::to_string(o.map_ids[0]), "--map-id",
                     std::to_string(o.map_ids[1]), "-o", js})
                .exit_code,
            0);
  ASSERT_EQ(run_cli({"capture", "--map-id", std::to_string(o.map_ids[0]), "--map-id",
                     std::to_string(o.map_ids[1]), "-o", snap})
                .exit_code,
            0);
  ASSERT_EQ(run_cli({"convert", snap, back}).exit_code, 0);
  auto direct = load_report(js);
  auto native = load_report(back);
  ASSERT_TRUE(direct.has_value() && native.has_value());
  auto maps_json = [](const FailureDumpReport& x) {
    FailureDumpReport only;
    only.maps = x.maps;
    return to_json(only);
  };
  EXPECT_EQ(maps_json(*direct), maps_json(*r));
  EXPECT_EQ(maps_json(*native), maps_json(*r));
}

TEST_F(ArenaObject, EntryCapKeepsTheFirstPagesAndSaysSo) {
  for (std::uint32_t k : {1u, 4u, 6u}) user[k * kPage] = static_cast<std::uint8_t>(k);
  auto m = capture_arena(2);
  ASSERT_TRUE(m.arena.has_value());
  EXPECT_TRUE(m.arena->truncated);
  ASSERT_EQ(m.arena->pages.size(), 2u);
  EXPECT_EQ(m.arena->pages[1].user_addr, kUserVm + 4 * kPage);
  EXPECT_EQ(m.arena->pages[1].bytes[0], 4);
  ASSERT_TRUE(m.error.has_value());
  EXPECT_THAT(*m.error, HasSubstr("entry cap reached: captured 2 arena pages"));
}

TEST_F(ArenaObject, CliShowsPagesAndJsonReadsBack) {
  user[5 * kPage + 1] = 0x5a;
  TempDir d;
  const std::string out = d.path() + "/arena.json";
  auto cap = run_cli({"capture", "--map-id", std::to_string(arena_id()), "-o", out});
  ASSERT_EQ(cap.exit_code, 0) << cap.err;
  auto r = load_report(out);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_TRUE(r->maps.at(0).arena.has_value());
  ASSERT_EQ(r->maps.at(0).arena->pages.size(), 1u);
  EXPECT_EQ(r->maps.at(0).arena->pages[0].bytes[1], 0x5a);
  auto shown = run_cli({"map", out, "sched_arena"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("64 declared pages, 1 captured"));
}

// What libbpf 1.4 and later leave in the kernel for an object with __arena
// globals: a program whose BTF has the `.addr_space.1` DATASEC and whose
// references to the globals are ld_imm64 of the arena (BPF_PSEUDO_MAP_VALUE,
// offset = where libbpf placed the section + the variable's offset).
struct ArenaGlobalsProgram {
  static constexpr std::uint32_t kNrTasks = 0, kComm = 8, kStats = 24, kStatsPtr = 40, kBig = 48,
                                 kBigLen = 600;
  static constexpr std::uint32_t kSize = kBig + 8 * kBigLen;  // spans two pages
  struct btf* b = btf__new_empty();
  int prog_fd = -1;
  ArenaGlobalsProgram(int arena_fd, std::uint64_t base) {
    const int u64 = btf__add_int(b, "unsigned long long", 8, 0);
    const int u32 = btf__add_int(b, "unsigned int", 4, 0);
    const int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    const int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    const int comm = btf__add_array(b, u32, chr, 16);
    const int stats = btf__add_struct(b, "arena_stats", 16);
    btf__add_field(b, "enqueued", u64, 0, 0);
    btf__add_field(b, "dispatched", u64, 64, 0);
    const int big = btf__add_array(b, u32, u64, kBigLen);
    const int stats_ptr = btf__add_ptr(b, stats);
    const int v1 = btf__add_var(b, "nr_tasks", BTF_VAR_GLOBAL_ALLOCATED, u64);
    const int v2 = btf__add_var(b, "arena_comm", BTF_VAR_GLOBAL_ALLOCATED, comm);
    const int v3 = btf__add_var(b, "arena_stats", BTF_VAR_GLOBAL_ALLOCATED, stats);
    const int v4 = btf__add_var(b, "slots", BTF_VAR_GLOBAL_ALLOCATED, big);
    const int v5 = btf__add_var(b, "stats_ptr", BTF_VAR_GLOBAL_ALLOCATED, stats_ptr);
    btf__add_datasec(b, ".addr_space.1", kSize);
    btf__add_datasec_var_info(b, v1, kNrTasks, 8);
    btf__add_datasec_var_info(b, v2, kComm, 16);
    btf__add_datasec_var_info(b, v3, kStats, 16);
    btf__add_datasec_var_info(b, v5, kStatsPtr, 8);
    btf__add_datasec_var_info(b, v4, kBig, 8 * kBigLen);
    const int vptr = btf__add_ptr(b, 0);
    const int proto = btf__add_func_proto(b, i32);
    btf__add_func_param(b, "ctx", vptr);
    const int fn = btf__add_func(b, "arena_user", BTF_FUNC_GLOBAL, proto);
    if (btf__load_into_kernel(b) != 0) {
      ADD_FAILURE() << "BTF load: " << std::strerror(errno);
      return;
    }
    std::vector<bpf_insn> p;
    for (std::uint32_t off : {kNrTasks, kComm, kStats, kBig + 8 * (kBigLen - 1)}) {
      bpf_insn lo{}, hi{};
      lo.code = BPF_LD | BPF_DW | BPF_IMM;
      lo.dst_reg = 1;
      lo.src_reg = BPF_PSEUDO_MAP_VALUE;
      lo.imm = arena_fd;
      hi.imm = static_cast<std::int32_t>(base + off);
      p.push_back(lo);
      p.push_back(hi);
    }
    bpf_insn mov{}, ex{};
    mov.code = BPF_ALU64 | BPF_MOV | BPF_K;
    ex.code = BPF_JMP | BPF_EXIT;
    p.push_back(mov);
    p.push_back(ex);
    bpf_func_info fi{0, static_cast<std::uint32_t>(fn)};
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_btf_fd = static_cast<std::uint32_t>(btf__fd(b)),
                .prog_flags = BPF_F_SLEEPABLE, .func_info = &fi, .func_info_cnt = 1,
                .func_info_rec_size = sizeof fi);
    prog_fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "arena_user", "GPL", p.data(), p.size(), &opts);
    if (prog_fd < 0) ADD_FAILURE() << "program load: " << std::strerror(errno);
  }
  ~ArenaGlobalsProgram() {
    if (prog_fd >= 0) ::close(prog_fd);
    btf__free(b);
  }
};

TEST_F(ArenaObject, GlobalsAtTheStartOrTheEndAreRenderedAndFoundByVar) {
  // libbpf 1.6+ places the section at the arena's start, 1.4 and 1.5 at its end.
  const std::uint64_t rounded = (ArenaGlobalsProgram::kSize + kPage - 1) / kPage * kPage;
  for (std::uint64_t base : {std::uint64_t{0}, kPages * kPage - rounded}) {
    SCOPED_TRACE(fmt::format("section at offset {}", base));
    std::memset(user, 0, kPages * kPage);  // allocates every page; fine for this test
    std::uint8_t* g = user + base;
    const std::uint64_t nr = 42 + base, enq = 7, disp = 9, last = 12345;
    std::memcpy(g + ArenaGlobalsProgram::kNrTasks, &nr, 8);
    std::memcpy(g + ArenaGlobalsProgram::kComm, "arena-sched", 12);
    std::memcpy(g + ArenaGlobalsProgram::kStats, &enq, 8);
    std::memcpy(g + ArenaGlobalsProgram::kStats + 8, &disp, 8);
    std::memcpy(g + ArenaGlobalsProgram::kBig + 8 * (ArenaGlobalsProgram::kBigLen - 1), &last, 8);
    const std::uint64_t stats_at = kUserVm + base + ArenaGlobalsProgram::kStats;
    std::memcpy(g + ArenaGlobalsProgram::kStatsPtr, &stats_at, 8);
    ArenaGlobalsProgram prog(arena_fd(), base);
    ASSERT_GE(prog.prog_fd, 0);
    auto m = capture_arena();
    ASSERT_TRUE(m.value.has_value()) << m.error.value_or("");
    EXPECT_FALSE(m.error.has_value()) << *m.error;
    EXPECT_NE(m.btf_id, 0u);
    FailureDumpReport r;
    r.maps.push_back(m);
    Snapshot s(r);
    EXPECT_EQ(s.var("nr_tasks").as_u64().value(), nr);
    EXPECT_EQ(s.var("arena_stats").get("dispatched").as_u64().value(), disp);
    EXPECT_EQ(s.var("slots").as_u64_array().value().back(), last);
    // A pointer among the globals into the arena: followed.
    EXPECT_EQ(s.var("stats_ptr").get("dispatched").as_u64().value(), disp);
    EXPECT_EQ(s.var("arena_comm").as_u64_array().value().at(0), std::uint64_t{'a'});
    EXPECT_EQ(m.arena->pages.size(), kPages);
    // The command line: `var` finds them, `map` and `show` say where they are.
    TempDir d;
    const std::string out = d.path() + "/arena.json";
    auto cap = run_cli({"capture", "--map-id", std::to_string(arena_id()), "-o", out});
    ASSERT_EQ(cap.exit_code, 0) << cap.err;
    auto var = run_cli({"var", out, "nr_tasks"});
    EXPECT_EQ(var.exit_code, 0) << var.err;
    EXPECT_EQ(var.out, fmt::format("{}\n", nr));
    auto comm = run_cli({"var", out, "arena_comm"});
    EXPECT_EQ(comm.out, "\"arena-sched\"\n");
    auto map = run_cli({"map", out, "sched_arena"});
    EXPECT_EQ(map.exit_code, 0) << map.err;
    EXPECT_THAT(map.out, ::testing::StartsWith(
                             fmt::format(".addr_space.1{{nr_tasks={}, arena_comm=\"arena-sched\", "
                                         "arena_stats=arena_stats{{enqueued=7, dispatched=9}}",
                                         nr)));
    EXPECT_THAT(map.out, HasSubstr("(arena: 64 declared pages, 64 captured"));
    // A native snapshot keeps the same pages and globals.
    const std::string snap = d.path() + "/arena.scxsnap", back = d.path() + "/back.json";
    auto ncap = run_cli({"capture", "--map-id", std::to_string(arena_id()), "-o", snap});
    ASSERT_EQ(ncap.exit_code, 0) << ncap.err;
    ASSERT_EQ(run_cli({"convert", snap, back}).exit_code, 0);
    auto direct = load_report(out);
    auto native = load_report(back);
    ASSERT_TRUE(direct.has_value() && native.has_value());
    EXPECT_EQ(direct->maps.at(0), native->maps.at(0));
    EXPECT_EQ(run_cli({"var", snap, "nr_tasks"}).out, fmt::format("{}\n", nr));
    auto show = run_cli({"show", out});
    EXPECT_THAT(show.out,
                HasSubstr("value: struct .addr_space.1 (5 members); arena 64 pages captured"));
  }
}

// 32 MiB of pages in a 256 MiB arena: ~70 MB of JSON streamed to the file
// while memory stays at the pages themselves (the model holds them once and
// the JSON is flushed a page at a time).
TEST(Arena, LargeArenaIsCapturedInMemoryBoundedByItsPages) {
  SCXSNAP_SKIP_WITHOUT_ARENAS();
#ifdef SCXSNAP_SANITIZED
  // Under ASan the bound is dominated by its quarantine: fewer pages, the same paths.
  constexpr std::uint64_t kSpan = 65536, kUsed = 1024, kAt = 1ull << 46;
#else
  constexpr std::uint64_t kSpan = 65536, kUsed = 8192, kAt = 1ull << 46;
#endif
  LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE, .map_extra = kAt);
  int fd = create_arena_map("big_arena", kSpan, &mo);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  void* p = ::mmap(reinterpret_cast<void*>(kAt), kSpan * kPage, PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  auto* u = static_cast<std::uint8_t*>(p);
  for (std::uint64_t k = 0; k < kUsed; ++k) u[k * 4 * kPage + (k % kPage)] = 1;  // every 4th page
  bpf_map_info info{};
  std::uint32_t len = sizeof info;
  ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
  TempDir d;
  const std::string out = d.path() + "/big.json";
  CliResult r = run_cli({"capture", "--map-id", std::to_string(info.id), "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const long raw_kib = static_cast<long>(kUsed * kPage / 1024);
  EXPECT_GT(std::filesystem::file_size(out), 2 * kUsed * kPage);
  EXPECT_LE(r.max_rss_kib, kBaseBoundKiB + raw_kib + raw_kib / 4);
  // A native snapshot keeps the pages as raw records (not JSON in its
  // skeleton): writing, summarising and converting it stay within twice them.
  const std::string snap = d.path() + "/big.scxsnap", back_json = d.path() + "/back.json";
  CliResult n = run_cli({"capture", "--map-id", std::to_string(info.id), "-o", snap});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  EXPECT_LE(n.max_rss_kib, kBaseBoundKiB + 2 * raw_kib);
  CliResult shown = run_cli({"show", snap});
  EXPECT_THAT(shown.out, HasSubstr(fmt::format("arena {} pages captured", kUsed)));
  EXPECT_LE(shown.max_rss_kib, kBaseBoundKiB + 2 * raw_kib + raw_kib / 4);
  CliResult conv = run_cli({"convert", snap, back_json});
  ASSERT_EQ(conv.exit_code, 0) << conv.err;
  EXPECT_LE(conv.max_rss_kib, kBaseBoundKiB + 2 * raw_kib + raw_kib / 4);
  auto back = load_report(out);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  const auto& pages = back->maps.at(0).arena->pages;
  ASSERT_EQ(pages.size(), kUsed);
  EXPECT_EQ(pages[100].user_addr, kAt + 400 * kPage);
  EXPECT_EQ(pages[100].bytes[100], 1);
  auto from_native = load_report(back_json);
  ASSERT_TRUE(from_native.has_value()) << from_native.error().message();
  EXPECT_TRUE(from_native->maps == back->maps);
  ::munmap(p, kSpan * kPage);
  ::close(fd);
}

TEST(Arena, NeverMappedArenaHasNoPagesAndIsLeftUnmapped) {
  SCXSNAP_SKIP_WITHOUT_ARENAS();
  LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
  int fd = create_arena_map("idle_arena", 16, &mo);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  bpf_map_info info{};
  std::uint32_t len = sizeof info;
  ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
  CaptureOptions o;
  o.map_ids = {info.id};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const auto& m = r->maps.at(0);
  ASSERT_TRUE(m.arena.has_value());
  EXPECT_TRUE(m.arena->pages.empty());
  ASSERT_TRUE(m.error.has_value());
  EXPECT_THAT(*m.error, HasSubstr("never mapped"));
  // The capture did not fix the arena's address: this process may still map
  // it wherever the kernel chooses, and what it maps there is read back.
  void* p = ::mmap(nullptr, 16 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  static_cast<std::uint8_t*>(p)[2 * kPage] = 0x77;
  auto again = capture(o);
  ASSERT_TRUE(again.has_value());
  const auto& a = *again->maps.at(0).arena;
  EXPECT_EQ(a.user_vm_start, reinterpret_cast<std::uintptr_t>(p));
  ASSERT_EQ(a.pages.size(), 1u);
  EXPECT_EQ(a.pages[0].user_addr, reinterpret_cast<std::uintptr_t>(p) + 2 * kPage);
  EXPECT_EQ(a.pages[0].bytes[0], 0x77);
  ::munmap(p, 16 * kPage);
  ::close(fd);
}

}  // namespace
