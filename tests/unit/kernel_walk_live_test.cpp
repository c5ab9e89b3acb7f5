// The kernel walker's mechanism on this kernel, which has no sched_ext but
// has runqueues: each CPU's per-CPU base from the anchors program, each
// CPU's struct rq found and checked (rq->cpu), and what a runqueue says
// compared with what /proc says of the same threads. Then the walk recorded
// on a tape and replayed without root.
#include "capture/kernel_symbols.hpp"
#include "capture/kernel_tape.hpp"
#include "capture/kernel_walk.hpp"

#include <bpf/btf.h>

#include <atomic>
#include <fstream>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace scxsnap;
using namespace scxsnap::capture_detail;

namespace {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

BtfPtr vmlinux() {
  return {btf__load_vmlinux_btf(), btf__free};
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// The field after the comm of /proc/.../stat, 1-based as proc(5) numbers them.
std::string stat_field(const std::string& stat, int n) {
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string f;
  for (int i = 3; i <= n && in >> f; ++i) {
  }
  return f;
}

// The walk, or a skip naming why this machine refuses it (a kernel may
// refuse the reader's programs: EPERM under lockdown or without CAP_PERFMON).
std::unique_ptr<KernelWalk> open_or_skip(KernelSource& src, const struct btf* b,
                                         std::string& skip) {
  auto w = KernelWalk::open(src, b);
  if (!w) {
    skip = "the kernel walker cannot run here: " + w.error().message();
    return nullptr;
  }
  return std::move(*w);
}

class Pinned {
 public:
  explicit Pinned(int cpu) {
    sched_getaffinity(0, sizeof old_, &old_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ok_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~Pinned() { sched_setaffinity(0, sizeof old_, &old_); }
  bool ok() const { return ok_; }

 private:
  cpu_set_t old_{};
  bool ok_ = false;
};

TEST(KernelWalkLive, EveryCpuRunsUsWhenWeRunOnIt) {
  auto b = vmlinux();
  ASSERT_NE(b, nullptr);
  std::string skip;
  auto w = open_or_skip(system_kernel_source(), b.get(), skip);
  if (!w) GTEST_SKIP() << skip;
  EXPECT_EQ(w->per_cpu_offsets().size(), static_cast<std::size_t>(libbpf_num_possible_cpus()));
  const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  const std::string comm = slurp("/proc/thread-self/comm");
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  int checked = 0;
  for (std::uint32_t cpu = 0; cpu < w->per_cpu_offsets().size(); ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    Pinned pin(static_cast<int>(cpu));
    if (!pin.ok()) continue;  // offline meanwhile
    auto rqs = w->runqueues();
    ASSERT_TRUE(rqs.has_value()) << rqs.error().message();
    ASSERT_EQ(rqs->size(), w->per_cpu_offsets().size());
    const KernelRq& rq = (*rqs)[cpu];
    EXPECT_EQ(rq.cpu, cpu);
    // This thread is what CPU `cpu` runs while it reads its runqueue ...
    EXPECT_EQ(rq.curr_pid, std::optional<std::int32_t>(tid)) << "CPU " << cpu;
    EXPECT_EQ(rq.curr_comm, std::optional<std::string>(comm)) << "CPU " << cpu;
    EXPECT_GE(rq.nr_running, 1u) << "CPU " << cpu;
    // ... and /proc agrees: running ('R') on that CPU (stat fields 3 and 39).
    const std::string stat = slurp("/proc/thread-self/stat");
    EXPECT_EQ(stat_field(stat, 3), "R");
    EXPECT_EQ(stat_field(stat, 39), std::to_string(cpu));
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// A process spinning on another CPU is what that CPU's runqueue runs (read
// until it is seen: a kernel thread may take the CPU for a moment).
TEST(KernelWalkLive, ASpinnerOnAnotherCpuIsThatRunqueuesCurrentTask) {
  auto b = vmlinux();
  ASSERT_NE(b, nullptr);
  std::string skip;
  auto w = open_or_skip(system_kernel_source(), b.get(), skip);
  if (!w) GTEST_SKIP() << skip;
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  if (CPU_COUNT(&allowed) < 2) GTEST_SKIP() << "needs two CPUs this process may use";
  int mine = -1, other = -1;
  for (int c = 0; c < CPU_SETSIZE && other < 0; ++c)
    if (CPU_ISSET(c, &allowed)) (mine < 0 ? mine : other) = c;
  Pinned pin(mine);
  ASSERT_TRUE(pin.ok());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(other, &one);
    sched_setaffinity(0, sizeof one, &one);
    for (;;) asm volatile("" ::: "memory");  // spin
  }
  bool seen = false;
  std::string last;
  for (int i = 0; i < 200 && !seen; ++i) {
    auto rqs = w->runqueues();
    ASSERT_TRUE(rqs.has_value()) << rqs.error().message();
    const KernelRq& rq = (*rqs)[static_cast<std::size_t>(other)];
    seen = rq.curr_pid == child;
    last = rq.curr_comm.value_or("?");
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string stat = slurp("/proc/" + std::to_string(child) + "/stat");
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(seen) << "CPU " << other << " kept running " << last;
  EXPECT_EQ(stat_field(stat, 39), std::to_string(other));  // /proc: it ran there
}

// The lookup program and /proc/kallsyms agree, on names the kernel has and
// on names it does not (data symbols are absent from both without
// CONFIG_KALLSYMS_ALL).
TEST(KernelWalkLive, SymbolsFromTheLookupProgramAreThoseOfKallsyms) {
  const std::vector<std::string_view> names = {
      "schedule", "do_exit", "runqueues", "scx_root", "fair_sched_class", "no_such_symbol_here"};
  auto looked = lookup_kernel_symbols(names);
  if (!looked) GTEST_SKIP() << looked.error().message();
  const auto file = read_kallsyms_file("/proc/kallsyms", names);
  EXPECT_EQ(*looked, file);
  EXPECT_TRUE(looked->contains("schedule"));
  EXPECT_FALSE(looked->contains("no_such_symbol_here"));
  const std::string too_long(kMaxSymbolName + 1, 'x');
  const std::vector<std::string_view> bad = {too_long};
  EXPECT_FALSE(lookup_kernel_symbols(bad).has_value());
}

TEST(KernelWalkLive, ARecordedWalkReplaysWithoutRoot) {
  auto b = vmlinux();
  ASSERT_NE(b, nullptr);
  char dir[] = "/tmp/scxsnap-walk-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/walk.tape";
  std::vector<KernelRq> live;
  {
    auto rec = TapeRecorder::create(path, system_kernel_source());
    ASSERT_TRUE(rec.has_value()) << rec.error().message();
    std::string skip;
    auto w = open_or_skip(**rec, b.get(), skip);
    if (!w) GTEST_SKIP() << skip;
    auto rqs = w->runqueues();
    ASSERT_TRUE(rqs.has_value()) << rqs.error().message();
    live = *rqs;
    ASSERT_TRUE((*rec)->finish().has_value());
  }
  auto tape = TapeReplayer::open(path);
  ASSERT_TRUE(tape.has_value()) << tape.error().message();
  auto w = KernelWalk::open(**tape, b.get());
  ASSERT_TRUE(w.has_value()) << w.error().message();
  auto rqs = (*w)->runqueues();
  ASSERT_TRUE(rqs.has_value()) << rqs.error().message();
  EXPECT_TRUE((*tape)->misses().empty());
  ASSERT_EQ(rqs->size(), live.size());
  for (std::size_t i = 0; i < live.size(); ++i) {
    EXPECT_EQ((*rqs)[i].kva, live[i].kva);
    EXPECT_EQ((*rqs)[i].nr_running, live[i].nr_running);
    EXPECT_EQ((*rqs)[i].curr_pid, live[i].curr_pid);
    EXPECT_EQ((*rqs)[i].curr_comm, live[i].curr_comm);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
