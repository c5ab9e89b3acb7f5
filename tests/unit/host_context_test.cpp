// Host context parsing from /proc and /sys text (fixture trees), and task
// details of this very process from the real /proc.
#include "capture/host_context.hpp"

#include "cli_util.hpp"

#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace scxsnap;
using namespace scxsnap::capture_detail;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

TEST(HostContext, PerCpuTimeFromProcText) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/proc");
  spit(dir.path() + "/proc/stat",
       "cpu  10 0 0 0 0 0 0 0 0 0\ncpu0 100 2 30 400 5 6 7 8 0 0\ncpu1 1 1 1 1 1 1 1 1 0 0\nintr "
       "12345\n");
  spit(dir.path() + "/proc/softirqs",
       "                    CPU0       CPU1\n          HI:          1          2\n       TIMER:    "
       "    300        400\n"
       "         RCU:          9         10\n");
  spit(dir.path() + "/proc/interrupts",
       "           CPU0       CPU1\n  0:         10          20   IO-APIC   2-edge      timer\n"
       "NMI:          1          2   Non-maskable interrupts\nERR:          0\n");
  HostPaths hp{dir.path() + "/proc", dir.path() + "/sys"};
  FailureDumpReport r;
  std::vector<std::string> notes;
  read_per_cpu_time(system_kernel_source(), hp, r, notes);
  ASSERT_EQ(r.per_cpu_time.size(), 2u);
  const double tick_ns = 1e9 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(r.per_cpu_time[0].cpu, 0u);
  EXPECT_EQ(r.per_cpu_time[0].cpustat_user_ns, static_cast<std::uint64_t>(100 * tick_ns));
  EXPECT_EQ(r.per_cpu_time[0].cpustat_idle_ns, static_cast<std::uint64_t>(400 * tick_ns));
  EXPECT_EQ(r.per_cpu_time[0].cpustat_softirq_ns, static_cast<std::uint64_t>(7 * tick_ns));
  EXPECT_THAT(r.per_cpu_time[1].softirqs, ElementsAre(2u, 400u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 10u));
  EXPECT_EQ(r.per_cpu_time[0].irqs_sum, 11u);
  EXPECT_EQ(r.per_cpu_time[1].irqs_sum, 22u);
  EXPECT_TRUE(notes.empty());
}

TEST(HostContext, NumaAndItsAbsence) {
  TempDir dir;
  std::string node = dir.path() + "/sys/devices/system/node/node1";
  std::filesystem::create_directories(node);
  spit(node + "/numastat",
       "numa_hit 100\nnuma_miss 2\nnuma_foreign 3\ninterleave_hit 4\nlocal_node 90\nother_node "
       "10\n");
  FailureDumpReport r;
  read_numa(system_kernel_source(), HostPaths{dir.path() + "/proc", dir.path() + "/sys"}, r);
  ASSERT_EQ(r.per_node_numa.size(), 1u);
  EXPECT_EQ(r.per_node_numa[0].node, 1u);
  EXPECT_EQ(r.per_node_numa[0].numa_local, 90u);
  EXPECT_EQ(r.per_node_numa[0].numa_interleave_hit, 4u);
  FailureDumpReport none;
  read_numa(system_kernel_source(), HostPaths{"/nonexistent", "/nonexistent"}, none);
  EXPECT_TRUE(none.per_node_numa.empty());
  EXPECT_THAT(none.per_node_numa_unavailable.value_or(""), HasSubstr("no NUMA nodes"));
}

TEST(HostContext, SchedExtAbsentAndPresent) {
  FailureDumpReport r;
  std::string ops;
  bool present = true;
  EXPECT_FALSE(
      read_sched_ext(system_kernel_source(), HostPaths{"/proc", "/nonexistent"}, r, ops, present));
  EXPECT_FALSE(present);
  EXPECT_THAT(r.scx_walker_unavailable.value_or(""), HasSubstr("sched_ext not enabled"));
  TempDir dir;
  std::string base = dir.path() + "/sys/kernel/sched_ext";
  std::filesystem::create_directories(base + "/root");
  spit(base + "/state", "enabled\n");
  spit(base + "/root/ops", "rusty\n");
  spit(base + "/root/events",
       "SCX_EV_SELECT_CPU_FALLBACK 12\nSCX_EV_DISPATCH_KEEP_LAST 340\nSCX_EV_UNKNOWN 5\n");
  FailureDumpReport s;
  EXPECT_TRUE(read_sched_ext(system_kernel_source(), HostPaths{"/proc", dir.path() + "/sys"}, s,
                             ops, present));
  EXPECT_TRUE(present);
  EXPECT_EQ(ops, "rusty");
  spit(base + "/state", "disabled\n");
  FailureDumpReport d;
  EXPECT_FALSE(read_sched_ext(system_kernel_source(), HostPaths{"/proc", dir.path() + "/sys"}, d,
                              ops, present));
  EXPECT_TRUE(present);  // the kernel has sched_ext: its runqueues are walked
  EXPECT_THAT(d.scx_walker_unavailable.value_or(""), HasSubstr("state: disabled"));
  ASSERT_EQ(s.event_counter_timeline.size(), 1u);
  EXPECT_EQ(s.event_counter_timeline[0].select_cpu_fallback, 12);
  EXPECT_EQ(s.event_counter_timeline[0].dispatch_keep_last, 340);
}

TEST(HostContext, PossibleNodesFromSysfs) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/sys/devices/system/node");
  const HostPaths hp{"/proc", dir.path() + "/sys"};
  EXPECT_EQ(possible_nodes(system_kernel_source(), hp), 1u);  // not said: one
  spit(dir.path() + "/sys/devices/system/node/possible", "0-3\n");
  EXPECT_EQ(possible_nodes(system_kernel_source(), hp), 4u);
  spit(dir.path() + "/sys/devices/system/node/possible", "0\n");
  EXPECT_EQ(possible_nodes(system_kernel_source(), hp), 1u);
  spit(dir.path() + "/sys/devices/system/node/possible", "0,2\n");
  EXPECT_EQ(possible_nodes(system_kernel_source(), hp), 3u);
}

TEST(HostContext, TaskDetailsOfThisProcess) {
  FailureDumpReport r;
  std::int32_t me = ::getpid();
  read_tasks(system_kernel_source(), HostPaths{}, {me, 999999999}, r);
  ASSERT_EQ(r.task_enrichments.size(), 1u);
  const TaskEnrichment& t = r.task_enrichments[0];
  EXPECT_EQ(t.pid, me);
  EXPECT_EQ(t.tgid, me);
  EXPECT_FALSE(t.comm.empty());
  ASSERT_NE(t.field("real_parent_pid"), nullptr);
  EXPECT_EQ(t.field("real_parent_pid")->as_i64(), ::getppid());
  EXPECT_EQ(t.field("sched_class")->text(), "fair");
  EXPECT_EQ(t.field("weight")->as_u64(), 100u);  // nice 0
  EXPECT_THAT(r.task_enrichments_unavailable.value_or(""), HasSubstr("no such process: 999999999"));
}

}  // namespace
