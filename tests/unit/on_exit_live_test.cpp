// Failure capture against the running kernel: a loader that writes its last
// values and exits (the maps survive because they are held, and the capture
// holds what was written last), a struct_ops link destroyed while its maps
// are held (tcp_congestion_ops: this kernel has no sched_ext), a condition
// over the held globals, and the dual dump of --keep-last.
#include "bpf_fixture.hpp"
#include "cli_util.hpp"
#include "scxsnap/on_exit.hpp"
#include "scxsnap/scxsnap.hpp"
#include "trigger/globals_probe.hpp"

#include <future>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace scxsnap;

namespace {

std::vector<std::uint32_t> ids_of(const LoadedObject& lo) {
  std::vector<std::uint32_t> ids;
  bpf_map* m = nullptr;
  bpf_object__for_each_map(m, lo.obj) ids.push_back(LoadedObject::id_of(m));
  return ids;
}

// capture_on_exit on a thread of its own; `armed` is ready once it holds the maps.
struct Armed {
  std::promise<void> ready;
  std::future<Result<OnExitResult>> result;
  explicit Armed(OnExitOptions o) {
    auto armed = ready.get_future();
    o.armed = [this](const std::string&) { ready.set_value(); };
    result = std::async(std::launch::async, [o] { return capture_on_exit(o); });
    // Armed, or failed before arming (then the result says why).
    while (armed.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready)
      if (result.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready) break;
  }
};

const FailureDumpReport& single(const OnExitResult& r) {
  return std::get<FailureDumpReport>(r.dump);
}

}  // namespace

TEST(OnExitLive, TheLoadersLastValuesAreCapturedAfterItExits) {
  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The loader: loads, says which maps, waits for the word, writes its
    // last value and exits (the kernel would free its maps now).
    ::close(to_child[1]);
    ::close(to_parent[0]);
    LoadedObject lo("types.bpf.o");
    if (!lo.obj) ::_exit(1);
    std::uint64_t v = 1;
    lo.set_global(".data", "nr_dispatched", &v, sizeof v);
    auto ids = ids_of(lo);
    const std::uint32_t n = static_cast<std::uint32_t>(ids.size());
    if (::write(to_parent[1], &n, sizeof n) != sizeof n) ::_exit(2);
    if (::write(to_parent[1], ids.data(), n * sizeof(std::uint32_t)) < 0) ::_exit(2);
    char c;
    if (::read(to_child[0], &c, 1) != 1) ::_exit(3);
    v = 424242;
    lo.set_global(".data", "nr_dispatched", &v, sizeof v);
    ::_exit(0);
  }
  ::close(to_child[0]);
  ::close(to_parent[1]);
  std::uint32_t n = 0;
  ASSERT_EQ(::read(to_parent[0], &n, sizeof n), static_cast<ssize_t>(sizeof n));
  std::vector<std::uint32_t> ids(n);
  ASSERT_EQ(::read(to_parent[0], ids.data(), n * sizeof(std::uint32_t)),
            static_cast<ssize_t>(n * sizeof(std::uint32_t)));

  OnExitOptions o;
  o.capture.map_ids = ids;
  o.wait_pid = child;
  o.timeout_ms = 20000;  // a backstop: the test fails on "timeout", it never hangs
  Armed armed(o);
  ASSERT_EQ(::write(to_child[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto r = armed.result.get();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->trigger.kind, "pid-exit");
  EXPECT_EQ(r->held_map_ids, ids);
  const FailureDumpReport& rep = single(*r);
  EXPECT_EQ(rep.maps.size(), ids.size());
  EXPECT_EQ(Snapshot(rep).var("nr_dispatched").as_u64().value_or(0), 424242u);
  ASSERT_TRUE(rep.capture && rep.capture->trigger);
  EXPECT_EQ(rep.capture->trigger->kind, "pid-exit");
  // The trigger reads back from the report's JSON.
  auto back = parse_report(to_json(rep));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->capture->trigger, rep.capture->trigger);
  // Released with the result: the kernel frees them now.
  ::close(to_child[1]);
  ::close(to_parent[0]);
}

TEST(OnExitLive, ADestroyedStructOpsLinkFiresAndTheMapsAreStillCaptured) {
  LoadedObject lo("cc.bpf.o", nullptr, [](bpf_object* obj) {
    bpf_map* m = bpf_object__find_map_by_name(obj, "scxsnap_cc");
    bpf_map__set_map_flags(m, bpf_map__map_flags(m) | StructOpsLink::kLinkFlag);
  });
  ASSERT_TRUE(lo.obj);
  std::uint64_t v = 777;
  lo.set_global(".bss", "nr_cong_avoid", &v, sizeof v);
  auto link = std::make_unique<StructOpsLink>(bpf_object__find_map_by_name(lo.obj, "scxsnap_cc"));
  ASSERT_GE(link->link_fd, 0);
  OnExitOptions o;
  o.capture.map_ids = ids_of(lo);
  o.poll_ms = 5;
  o.timeout_ms = 20000;
  Armed armed(o);
  link.reset();  // detached (a failing scheduler's link is detached by the kernel)
  auto r = armed.result.get();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->trigger.kind, "struct-ops-detach") << r->trigger.detail;
  EXPECT_EQ(Snapshot(single(*r)).var("nr_cong_avoid").as_u64().value_or(0), 777u);
}

TEST(OnExitLive, AConditionOverTheHeldGlobalsFiresWhenItPasses) {
  LoadedObject lo("types.bpf.o");
  ASSERT_TRUE(lo.obj);
  OnExitOptions o;
  o.capture.map_ids = ids_of(lo);
  o.until = {"each(var:nr_dispatched).at_least(5000)"};
  o.poll_ms = 5;
  o.timeout_ms = 20000;
  Armed armed(o);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a few samples that do not pass
  std::uint64_t v = 5000;
  lo.set_global(".data", "nr_dispatched", &v, sizeof v);
  auto r = armed.result.get();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->trigger.kind, "until");
  EXPECT_EQ(r->trigger.detail, "each(var:nr_dispatched).at_least(5000)");
  EXPECT_GE(r->trigger.armed_ms, 50u);
  EXPECT_EQ(Snapshot(single(*r)).var("nr_dispatched").as_u64().value_or(0), 5000u);

  // A malformed condition is refused before anything is held.
  o.until = {"each(var:nr_dispatched).at_least("};
  auto bad = capture_on_exit(o);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(bad.error().message().find("--until"), std::string::npos) << bad.error().message();
}

// A condition over globals is sampled from the sections alone: what the probe
// renders is what a capture renders, through the mapping of a large
// mmap-able .bss as through a lookup of a small .data, and it follows writes.
TEST(OnExitLive, TheGlobalsProbeReadsWhatACaptureReads) {
  LoadedObject lo("globals.bpf.o");
  ASSERT_TRUE(lo.obj);
  CaptureOptions co;
  co.map_ids = ids_of(lo);
  auto first = capture(co);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  const std::vector<std::string> vars = {"ring_tail", "nr_events", "ring"};
  auto& src = capture_detail::system_kernel_source();
  auto probe = trigger_detail::GlobalsProbe::open(src, *first, co, vars);
  ASSERT_NE(probe, nullptr);
  const FailureDumpReport p = probe->sample();
  EXPECT_EQ(p.maps.size(), 2u);  // .bss (mapped) and .data (looked up)
  const Snapshot whole(*first), probed(p);
  for (const auto& v : vars) {
    auto a = whole.var(v), b = probed.var(v);
    ASSERT_TRUE(a.is_present() && b.is_present()) << v;
    EXPECT_EQ(*a.raw(), *b.raw()) << v;
  }
  EXPECT_FALSE(probed.var("ring_head").is_present());  // not asked for: not read
  // A name in no global section: whole captures answer instead.
  const std::vector<std::string> unknown = {"nr_events", "no_such_global"};
  EXPECT_EQ(trigger_detail::GlobalsProbe::open(src, *first, co, unknown), nullptr);
  std::uint64_t v = 31337, w = 4242;
  lo.set_global(".bss", "ring_tail", &v, sizeof v);
  lo.set_global(".data", "nr_events", &w, sizeof w);
  const FailureDumpReport later = probe->sample();
  Snapshot after(later);
  EXPECT_EQ(after.var("ring_tail").as_u64().value_or(0), 31337u);
  EXPECT_EQ(after.var("nr_events").as_u64().value_or(0), 4242u);
}

TEST(OnExitLive, KeepLastWritesADualDumpWithAnEarlySampleOldEnough) {
  LoadedObject lo("types.bpf.o");
  ASSERT_TRUE(lo.obj);
  OnExitOptions o;
  o.capture.map_ids = ids_of(lo);
  o.keep_last = 4;
  o.interval_ms = 10;
  o.early_ms = 30;
  o.timeout_ms = 300;
  auto r = capture_on_exit(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->trigger.kind, "timeout");
  const auto* dual = std::get_if<DualFailureDumpReport>(&r->dump);
  ASSERT_NE(dual, nullptr);
  ASSERT_TRUE(dual->early.has_value()) << dual->early_skipped_reason.value_or("");
  EXPECT_FALSE(dual->early_skipped_reason);
  ASSERT_TRUE(dual->late.capture && dual->late.capture->trigger);
  // In ktstr's schema, and back.
  const std::string text = to_json(FailureDumpFile(*dual));
  EXPECT_NE(text.find("\"schema\":\"dual\""), std::string::npos);
  auto back = parse_dump_file(text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_TRUE(std::holds_alternative<DualFailureDumpReport>(*back));

  // No kept sample old enough: no early, and the reason says why.
  o.early_ms = 60000;
  o.timeout_ms = 100;
  r = capture_on_exit(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  dual = std::get_if<DualFailureDumpReport>(&r->dump);
  ASSERT_NE(dual, nullptr);
  EXPECT_FALSE(dual->early);
  ASSERT_TRUE(dual->early_skipped_reason);
  EXPECT_NE(dual->early_skipped_reason->find("60000 ms"), std::string::npos)
      << *dual->early_skipped_reason;
}

TEST(OnExitLive, NothingToHoldIsNotFound) {
  OnExitOptions o;
  o.capture.map_names = {"no_such_map_anywhere"};
  o.timeout_ms = 100;
  auto r = capture_on_exit(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound) << r.error().message();
}

TEST(OnExitLive, TheCliWritesTheTriggeredReportAndRefusesWhatItCannotDo) {
  LoadedObject lo("types.bpf.o");
  ASSERT_TRUE(lo.obj);
  TempDir dir;
  const std::string out = dir.path() + "/failure.json";
  std::vector<std::string> args = {"capture", "--on-exit", "--timeout-s", "0.2", "-o", out};
  for (std::uint32_t id : ids_of(lo)) {
    args.emplace_back("--map-id");
    args.push_back(std::to_string(id));
  }
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("armed: holding"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("timeout"), std::string::npos) << r.err;
  auto rep = load_report(out);
  ASSERT_TRUE(rep.has_value()) << rep.error().message();
  ASSERT_TRUE(rep->capture && rep->capture->trigger);
  EXPECT_EQ(rep->capture->trigger->kind, "timeout");
  EXPECT_EQ(Snapshot(*rep).var("nr_dispatched").as_u64().value_or(0), 907u);

  // --keep-last: a dual dump that show reads.
  args.insert(args.end(), {"--keep-last", "3", "--interval-ms", "20"});
  r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(out).find("\"schema\":\"dual\""), std::string::npos);
  EXPECT_EQ(run_cli({"show", out}).exit_code, 0);

  // Native output and the on-exit flags without --on-exit are refused.
  r = run_cli({"capture", "--on-exit", "--timeout-s", "1", "-o", dir.path() + "/f.scxsnap"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--on-exit writes JSON"), std::string::npos) << r.err;
  r = run_cli({"capture", "--wait-pid", "1", "-o", dir.path() + "/x.json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.json"));
}

TEST(OnExitLive, AUserExitInfoIsDecodedForShowAndTheHtmlReport) {
  LoadedObject lo("globals.bpf.o");
  ASSERT_TRUE(lo.obj);
  struct {
    std::int32_t kind;
    std::int64_t exit_code;
    char reason[128];
    char msg[1024];
  } uei{};
  uei.kind = 1026;
  uei.exit_code = -3;
  std::snprintf(uei.reason, sizeof uei.reason, "%s", "watchdog failed to check in");
  std::snprintf(uei.msg, sizeof uei.msg, "%s", "kworker/1:0[38] failed to run for 30.1s");
  lo.set_global(".data", "uei", &uei, sizeof uei);
  bpf_map* dump = bpf_object__find_map_by_name(lo.obj, ".data.uei_dump");
  ASSERT_NE(dump, nullptr);
  std::vector<char> text(bpf_map__value_size(dump), 0);
  std::snprintf(text.data(), text.size(), "%s", "CPU 1: nr_queued=7\nCPU 2: nr_queued=0");
  const std::uint32_t zero = 0;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(dump), &zero, text.data(), BPF_ANY), 0);

  CaptureOptions o;
  o.map_ids = ids_of(lo);
  auto r = capture(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto e = exit_info(*r);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, 1026);
  EXPECT_EQ(e->kind_name, "SCX_EXIT_ERROR_STALL");
  EXPECT_EQ(e->exit_code, -3);
  EXPECT_EQ(e->reason, "watchdog failed to check in");
  EXPECT_EQ(e->msg, "kworker/1:0[38] failed to run for 30.1s");
  EXPECT_EQ(e->dump, "CPU 1: nr_queued=7\nCPU 2: nr_queued=0");
  const auto lines = exit_info_lines(*e);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[0], "exit: kind 1026 (SCX_EXIT_ERROR_STALL) code -3");
  EXPECT_EQ(lines.back(), "  CPU 2: nr_queued=0");

  // show prints it at the top; the HTML report opens with it.
  TempDir dir;
  const std::string file = dir.path() + "/r.json";
  spit(file, to_json(*r));
  auto shown = run_cli({"show", file});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("exit: kind 1026 (SCX_EXIT_ERROR_STALL) code -3\nreason: watchdog"),
            std::string::npos)
      << shown.out;
  auto page = run_cli({"report", file, "-o", dir.path() + "/r.html"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  const std::string html = slurp(dir.path() + "/r.html");
  EXPECT_NE(html.find("<h2>Scheduler exit</h2>"), std::string::npos);
  EXPECT_NE(html.find("kworker/1:0[38] failed to run for 30.1s"), std::string::npos);

  // No user_exit_info: nothing is made up.
  LoadedObject other("types.bpf.o");
  o.map_ids = ids_of(other);
  auto plain = capture(o);
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(exit_info(*plain).has_value());
}
