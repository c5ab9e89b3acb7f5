// Capture of what schedulers keep outside plain maps, on a real object loaded
// into the kernel (tests/bpf/storage.bpf.c): task storage of this process's
// threads (looked up by pidfd), cgroup storage of cgroups the test creates
// and removes (looked up by directory fd), queue and stack heads (peeked,
// never popped), the inner map ids of an array of maps, and btf_id.
#include "bpf_fixture.hpp"
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

struct TaskCtx {
  std::uint64_t runs;
  std::uint32_t tag, pad;
};

struct StorageObject : ::testing::Test {
  LoadedObject lo{"storage.bpf.o"};
  CaptureOptions only(std::initializer_list<const char*> names) {
    CaptureOptions o;
    for (const char* n : names) o.map_ids.push_back(LoadedObject::id_of(lo.map_ending(n)));
    return o;
  }
  static const FailureDumpMap& one(const FailureDumpReport& r) { return r.maps.at(0); }
};

int pidfd_of(pid_t tid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, tid, O_EXCL));  // PIDFD_THREAD
  if (fd < 0 && tid == ::getpid()) fd = static_cast<int>(::syscall(SYS_pidfd_open, tid, 0));
  return fd;
}

TEST_F(StorageObject, TaskStorageOfEveryThreadKeyedByPid) {
  ASSERT_NE(lo.obj, nullptr);
  int map_fd = bpf_map__fd(lo.map_ending("task_ctxs"));
  // The main thread and three more, each with its own storage.
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  std::vector<pid_t> tids(3);
  std::atomic<int> ready{0};
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      tids[static_cast<std::size_t>(i)] = static_cast<pid_t>(::syscall(SYS_gettid));
      ++ready;
      while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  while (ready < 3) std::this_thread::yield();
  std::map<pid_t, std::uint32_t> want = {{::getpid(), 100}};
  for (int i = 0; i < 3; ++i) want[tids[static_cast<std::size_t>(i)]] = 101 + i;
  for (auto [tid, tag] : want) {
    int pfd = pidfd_of(tid);
    ASSERT_GE(pfd, 0) << "pidfd_open " << tid << ": " << std::strerror(errno);
    TaskCtx v{tag * 10ull, tag, 0};
    EXPECT_EQ(bpf_map_update_elem(map_fd, &pfd, &v, BPF_ANY), 0) << std::strerror(errno);
    ::close(pfd);
  }
  std::map<pid_t, std::string> comms;  // read while the threads live
  for (auto [tid, tag] : want)
    std::getline(std::ifstream(fmt::format("/proc/self/task/{}/comm", tid)), comms[tid]);
  auto r = capture(only({"task_ctxs"}));
  auto js = capture_json(only({"task_ctxs"}));
  done = true;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const FailureDumpMap& m = one(*r);
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  std::map<pid_t, std::uint32_t> got;
  for (const auto& e : m.entries) {
    ASSERT_TRUE(e.key.has_value());
    auto pid = static_cast<pid_t>(e.key->get("pid")->int_value());
    EXPECT_EQ(e.key->get("tgid")->int_value(), ::getpid());
    // The owner's comm, as /proc gives it, shown as a C string.
    EXPECT_EQ(e.key->get("comm")->display(DisplayOptions{true, true}), '"' + comms[pid] + '"');
    got[pid] = static_cast<std::uint32_t>(e.value->get("tag")->as_u64().value());
    EXPECT_EQ(e.value->get("runs")->as_u64(), got[pid] * 10ull);
  }
  EXPECT_EQ(got, want);
  // The streamed JSON says the same.
  ASSERT_TRUE(js.has_value());
  auto back = parse_report(*js);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->maps.at(0).entries, m.entries);
  EXPECT_EQ(m.btf_id, bpf_object__btf(lo.obj) ? m.btf_id : 0u);
  EXPECT_NE(m.btf_id, 0u);
}

TEST_F(StorageObject, CgroupStorageOfCgroupsCreatedAndRemoved) {
  ASSERT_NE(lo.obj, nullptr);
  std::string root;
  {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line))
      if (line.find(" - cgroup2 ") != std::string::npos) {
        std::istringstream f(line);
        std::string a, b, c, d;
        f >> a >> b >> c >> d >> root;
        break;
      }
  }
  ASSERT_FALSE(root.empty()) << "no cgroup v2 mount";
  std::string base = root + "/scxsnap-test-" + std::to_string(::getpid());
  std::vector<std::string> dirs = {base, base + "/a", base + "/b"};
  for (const auto& d : dirs) ASSERT_EQ(::mkdir(d.c_str(), 0755), 0) << d;
  int map_fd = bpf_map__fd(lo.map_ending("cgrp_ctxs"));
  std::map<std::uint64_t, std::uint64_t> want;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    int dfd = ::open(dirs[i].c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(dfd, 0);
    struct stat st {};
    ::fstat(dfd, &st);
    std::uint64_t w = 1000 + i;
    EXPECT_EQ(bpf_map_update_elem(map_fd, &dfd, &w, BPF_ANY), 0) << std::strerror(errno);
    want[st.st_ino] = w;
    ::close(dfd);
  }
  auto r = capture(only({"cgrp_ctxs"}));
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) ::rmdir(it->c_str());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const FailureDumpMap& m = one(*r);
  EXPECT_FALSE(m.error.has_value()) << *m.error;
  std::map<std::uint64_t, std::uint64_t> got;
  std::set<std::string> paths;
  for (const auto& e : m.entries) {
    got[e.key->get("id")->as_u64().value()] = e.value->get("weight")->as_u64().value();
    paths.insert(e.key->get("path")->display(DisplayOptions{true, true}));
  }
  EXPECT_EQ(got, want);
  // Each cgroup's path under the mount.
  std::string rel = base.substr(root.size());
  for (const auto& d : {rel, rel + "/a", rel + "/b"}) EXPECT_TRUE(paths.count('"' + d + '"')) << d;
}

TEST_F(StorageObject, QueueAndStackHeadsArePeekedNeverPopped) {
  ASSERT_NE(lo.obj, nullptr);
  struct Work {
    std::uint64_t id;
    std::uint32_t prio, pad;
  };
  for (const char* n : {"work_fifo", "work_lifo"})
    for (std::uint64_t i = 1; i <= 3; ++i) {
      Work w{i, static_cast<std::uint32_t>(i * 2), 0};
      ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(lo.map_ending(n)), nullptr, &w, BPF_ANY), 0);
    }
  for (int round = 0; round < 2; ++round) {  // the second capture sees the same heads
    auto r = capture(only({"work_fifo", "work_lifo"}));
    ASSERT_TRUE(r.has_value());
    for (const auto& m : r->maps) {
      ASSERT_TRUE(m.value.has_value()) << m.name << ": " << m.error.value_or("");
      std::uint64_t head = m.name.ends_with("fifo") ? 1 : 3;
      // Typed when libbpf kept the object's BTF on the map, else its bytes.
      if (m.value->kind() == ValueKind::Bytes)
        EXPECT_EQ(m.value->text().substr(0, 2), fmt::format("{:02x}", head)) << m.name;
      else
        EXPECT_EQ(m.value->get("id")->as_u64(), head) << m.name;
      EXPECT_THAT(m.error.value_or(""), HasSubstr("head only")) << m.name;
    }
  }
  Work w{};
  ASSERT_EQ(bpf_map_lookup_and_delete_elem(bpf_map__fd(lo.map_ending("work_fifo")), nullptr, &w),
            0);
  EXPECT_EQ(w.id, 1u);  // nothing was popped by the captures
}

TEST_F(StorageObject, ArrayOfMapsListsInnerMapIds) {
  ASSERT_NE(lo.obj, nullptr);
  auto r = capture(only({"outer"}));
  ASSERT_TRUE(r.has_value());
  const FailureDumpMap& m = one(*r);
  ASSERT_TRUE(m.fd_array.has_value());
  EXPECT_EQ(m.fd_array->indices, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_EQ(m.fd_array->inner_map_ids,
            (std::vector<std::uint32_t>{LoadedObject::id_of(lo.map_ending("inner_a")),
                                        LoadedObject::id_of(lo.map_ending("inner_b"))}));
  auto back = parse_report(to_json(*r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->maps.at(0).fd_array->inner_map_ids, m.fd_array->inner_map_ids);
  // `map` prints the slots and links the inner maps the report holds too.
  auto both = capture(only({"outer", "inner_a"}));
  ASSERT_TRUE(both.has_value());
  TempDir d;
  std::string file = d.path() + "/outer.json";
  ASSERT_TRUE(write_file_atomic(file, to_json(*both)).has_value());
  CliResult out = run_cli({"map", file, "outer"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_THAT(out.out, HasSubstr(fmt::format("slot 1: map id {} (inner_a, in this report)",
                                             m.fd_array->inner_map_ids[0])));
  EXPECT_THAT(out.out, HasSubstr(fmt::format("slot 3: map id {} (not in this report)",
                                             m.fd_array->inner_map_ids[1])));
  EXPECT_THAT(out.out, HasSubstr("(2 populated of 4 scanned)"));
}

// Filters say what they did: long names match their cut form, --obj takes an
// object's full name, and a filter that matches nothing is an error (exit 1)
// that names the nearest maps.
TEST(CaptureFilters, MatchCutNamesAndFailWhenNothingMatches) {
  LoadedObject lo("storage.bpf.o", "scxsnap_filters_obj");
  ASSERT_NE(lo.obj, nullptr);
  TempDir d;
  std::string out = d.path() + "/out.json";
  CliResult r = run_cli({"capture", "-q", "-o", out, "--map", "per_task_dispatch_counts"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rep = load_report(out);
  ASSERT_TRUE(rep.has_value());
  ASSERT_GE(rep->maps.size(), 1u);
  for (const auto& m : rep->maps) EXPECT_EQ(m.name, "per_task_dispat");

  // The object's full name selects its global sections ("scxsnap_.bss").
  r = run_cli({"capture", "-q", "-o", out, "--obj", "scxsnap_filters_obj"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rep = load_report(out);
  ASSERT_TRUE(rep.has_value());
  bool bss = false;
  for (const auto& m : rep->maps) bss |= m.name == "scxsnap_.bss";
  EXPECT_TRUE(bss);
  // show groups the maps by object (their shared BTF), in human units.
  CliResult show = run_cli({"show", out});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.out, HasSubstr("object scxsnap_ (btf "));
  EXPECT_THAT(show.out, HasSubstr("capped arrays (at most 4096 elements of an array are kept; "
                                  "capture --max-array-elements N keeps more): 2"));
  EXPECT_THAT(show.out, HasSubstr("scxsnap_.bss: cpu_capacity (declared 8192, 4096 kept)"));
  EXPECT_THAT(show.out,
              HasSubstr("scxsnap_.bss: pco_table[] (declared 5000, 4096 kept) in 3 places"));
  EXPECT_THAT(show.out, ::testing::ContainsRegex("captured: .* in [0-9.]+ (us|ms|s) by"));

  // --max-array-elements lifts the cap: every element kept, recorded, and
  // show lists no capped array any more.
  r = run_cli(
      {"capture", "-q", "-o", out, "--obj", "scxsnap_filters_obj", "--max-array-elements", "8192"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rep = load_report(out);
  ASSERT_TRUE(rep.has_value());
  for (const auto& m : rep->maps)
    if (m.name == "scxsnap_.bss") {
      const RenderedValue* cc = m.value->get("cpu_capacity");
      ASSERT_NE(cc, nullptr);
      EXPECT_EQ(cc->array_len(), 8192u);
      EXPECT_EQ(cc->elements().size(), 8192u);
      EXPECT_EQ(m.value->get("pco_table")->elements().at(2).elements().size(), 5000u);
    }
  EXPECT_EQ(rep->capture->max_array_elements, 8192u);
  show = run_cli({"show", out});
  EXPECT_THAT(show.out, ::testing::Not(HasSubstr("capped arrays")));
  r = run_cli({"capture", "-q", "-o", out, "--max-array-elements", "0"});
  EXPECT_EQ(r.exit_code, 2);

  // Nothing matches: exit 1, the nearest names, and no file written.
  std::string none = d.path() + "/none.json";
  r = run_cli({"capture", "-q", "-o", none, "--map", "per_tsk_dispatch", "--map-id", "4000000000"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no map matches --map 'per_tsk_dispatch' (nearest: "));
  EXPECT_THAT(r.err, HasSubstr("per_task_dispat"));
  EXPECT_THAT(r.err, HasSubstr("--map-id 4000000000 (no loaded map has that id)"));
  EXPECT_FALSE(std::filesystem::exists(none));

  // --active-obj and --cgroup that name nothing are errors too, before any work.
  r = run_cli({"capture", "-q", "-o", none, "--active-obj", "no_such_sched"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--active-obj 'no_such_sched': no loaded object"));
  r = run_cli({"capture", "-q", "-o", none, "--cgroup", "/no/such/cgroup"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--cgroup '/no/such/cgroup': no cgroup directory"));
  EXPECT_FALSE(std::filesystem::exists(none));
}

}  // namespace

namespace {

// watch: validated numbers, an existing file kept until a series replaces it,
// and SIGINT ending a long wait at once with a valid series.
TEST(WatchSafety, NumbersFilesAndSignals) {
  TempDir d;
  std::string out = d.path() + "/series.jsonl";
  EXPECT_EQ(run_cli({"watch", "--count", "0", "-o", out}).exit_code, 2);
  EXPECT_EQ(run_cli({"watch", "--count", "-1", "-o", out}).exit_code, 2);
  EXPECT_EQ(run_cli({"watch", "--duration-s", "-1", "-o", out}).exit_code, 2);
  for (std::vector<std::string> bad : {std::vector<std::string>{"--deadline-ms", "-5"},
                                       {"--deadline-ms", std::string(300, '9')},
                                       {"--max-value-bytes", "-1"},
                                       {"--max-entries", "-1"}}) {
    bad.insert(bad.begin(), {"capture", "-q", "-o", out});
    CliResult c = run_cli(bad);
    EXPECT_EQ(c.exit_code, 2) << bad[4];
    EXPECT_THAT(c.err, HasSubstr(bad[4])) << c.err;
  }
  EXPECT_FALSE(std::filesystem::exists(out));

  spit(out, "old series\n");
  CliResult r = run_cli({"watch", "--count", "2", "--map-id", "4000000000", "-o", out});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(slurp(out), "old series\n");

  LoadedObject lo("storage.bpf.o");
  ASSERT_NE(lo.obj, nullptr);
  std::vector<std::string> args = {SCXSNAP_CLI,
                                   "watch",
                                   "--interval-ms",
                                   "60000",
                                   "--count",
                                   "100",
                                   "-o",
                                   out,
                                   "--map-id",
                                   std::to_string(LoadedObject::id_of(lo.map_ending("outer")))};
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Wait for the first sample (in the temporary file), then interrupt the wait.
  for (int i = 0; i < 400; ++i) {
    bool sampled = false;
    for (const auto& e : std::filesystem::directory_iterator(d.path()))
      sampled |= e.path().filename().string().starts_with(".series.jsonl.tmp") && e.file_size() > 0;
    if (sampled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGINT);  // the wait is interrupted, not run out: the sample count says so
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);  // as capture: the signal said, the series kept
  auto series = SampleSeries::load_jsonl(out);
  ASSERT_TRUE(series.has_value()) << series.error().message();
  EXPECT_EQ(series->len(), 1u);
}

// The map a watch follows goes away part-way (the scheduler exited): every
// sample is kept, the later ones as placeholders saying why, the series is
// written and the run ends normally — in both formats.
TEST(WatchSafety, AMapThatGoesAwayBecomesAGapNotALostSeries) {
  for (const char* format : {"jsonl", "native"}) {
    TempDir d;
    const std::string out = d.path() + "/series.out", err = d.path() + "/err.txt";
    // The map must outlive watch's first sample and go away before its last.
    // The first sample is seen in the JSON Lines file; a native file says
    // nothing until it is committed, so there the map is closed a while after
    // watch starts, and a run whose first sample already missed the map
    // (exit 1, nothing written) is started again with a longer wait.
    int status = 0;
    std::uint32_t map_id = 0;
    for (int wait_ms = 150, attempt = 0; attempt < 5; ++attempt, wait_ms *= 2) {
      int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "going_away", 4, 8, 4, nullptr);
      ASSERT_GE(fd, 0) << std::strerror(errno);
      bpf_map_info info{};
      std::uint32_t len = sizeof(info);
      ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
      map_id = info.id;
      std::vector<std::string> args = {SCXSNAP_CLI, "watch",    "--interval-ms",
                                       "100",       "--count",  "8",
                                       "--format",  format,     "-o",
                                       out,         "--map-id", std::to_string(info.id)};
      pid_t pid = ::fork();
      if (pid == 0) {
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(e, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
      if (std::string_view(format) == "jsonl") {
        for (int i = 0; i < 400; ++i) {
          bool sampled = false;
          for (const auto& e : std::filesystem::directory_iterator(d.path()))
            sampled |=
                e.path().filename().string().starts_with(".series.out.tmp") && e.file_size() > 0;
          if (sampled) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      }
      ::close(fd);
      ::waitpid(pid, &status, 0);
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 1 && !std::filesystem::exists(out))) break;
    }
    ASSERT_TRUE(WIFEXITED(status)) << format;
    EXPECT_EQ(WEXITSTATUS(status), 0) << format << ": " << slurp(err);
    EXPECT_THAT(slurp(err), HasSubstr("placeholder sample")) << format;
    auto series = [&]() -> Result<SampleSeries> {
      if (std::string_view(format) == "jsonl") return SampleSeries::load_jsonl(out);
      SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(out));
      std::vector<SampleRow> rows;
      for (std::size_t k = 0; k < snap.sample_count(); ++k) {
        SampleRow row;
        row.tag = snap.sample_tag(k);
        SCXSNAP_TRY(row.report, snap.load_sample(k));
        rows.push_back(std::move(row));
      }
      return SampleSeries(std::move(rows));
    }();
    ASSERT_TRUE(series.has_value()) << format << ": " << series.error().message();
    ASSERT_EQ(series->len(), 8u) << format;
    EXPECT_FALSE(series->rows().front().report.is_placeholder) << format;
    EXPECT_TRUE(series->rows().back().report.is_placeholder) << format;
    EXPECT_THAT(series->rows().back().report.scx_walker_unavailable.value_or(""),
                HasSubstr(std::to_string(map_id)))
        << format;
  }
}

}  // namespace

namespace {

// The tree capture and the streamed JSON (compact and pretty) agree on every
// map kind the suite loads.
TEST(CaptureStreams, TreeCompactAndPrettyAgreeOnEveryMapKind) {
  LoadedObject maps("maps.bpf.o"), storage("storage.bpf.o"), types("types.bpf.o");
  ASSERT_TRUE(maps.obj && storage.obj && types.obj);
  CaptureOptions o;
  for (const LoadedObject* lo : {&maps, &storage, &types}) {
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, lo->obj) o.map_ids.push_back(LoadedObject::id_of(m));
  }
  int pfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  TaskCtx v{7, 7, 0};
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(storage.map_ending("task_ctxs")), &pfd, &v, BPF_ANY),
            0);
  ::close(pfd);
  auto tree = capture(o);
  auto compact = capture_json(o, JsonStyle::Compact);
  auto pretty = capture_json(o, JsonStyle::Pretty);
  ASSERT_TRUE(tree && compact && pretty);
  auto a = parse_report(*compact);
  auto b = parse_report(*pretty);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(tree->maps.size(), o.map_ids.size());
  EXPECT_TRUE(tree->maps == a->maps);
  EXPECT_TRUE(a->maps == b->maps);
  // Pretty is the compact text re-indented the way serde does it.
  EXPECT_EQ(to_json(*b, JsonStyle::Pretty).substr(0, 200), pretty->substr(0, 200));
}

}  // namespace
