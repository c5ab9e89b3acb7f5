// diff_reports: every kind of change, and nothing for equal reports.
#include "snapshot_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::HasSubstr;

namespace {

TEST(Diff, EqualReportsHaveNoChanges) {
  auto r = synthetic_report();
  EXPECT_TRUE(diff_reports(r, r).empty());
}

TEST(Diff, EveryKindOfChange) {
  auto a = synthetic_report();
  auto b = synthetic_report();
  // global changed, hash entry changed/added/removed, per-CPU slot changed, map added/removed
  b.maps[0].value = RenderedValue::make_struct(
      ".bss", {{"nr_cpus_onln", uint_v(6, 32)}, {"stall", uint_v(1, 8)}});
  b.maps[1].entries[0].value = task_ctx(100, 5'000'100);
  b.maps[1].entries.erase(b.maps[1].entries.begin() + 1);
  FailureDumpEntry added;
  added.key = uint_v(300, 32);
  added.key_hex = "2c 01 00 00";
  added.value = task_ctx(300, 1);
  added.value_hex = "00";
  b.maps[1].entries.push_back(added);
  b.maps[1].entries[0].key_hex = a.maps[1].entries[0].key_hex;
  b.maps[2].percpu_entries[0].per_cpu[3] = uint_v(50);
  a.maps.push_back(hash_map("gone", {}));
  b.maps.push_back(hash_map("new_map", {}));
  std::string text = format_changes(diff_reports(a, b));
  EXPECT_THAT(text, HasSubstr("~ bpf.bss nr_cpus_onln: 4 → 6 (+2)\n"));
  EXPECT_THAT(text, HasSubstr("~ bpf.bss balance_factor: 1.5 → (absent)\n"));
  EXPECT_THAT(text, HasSubstr("~ scx_per_task[key 100] runtime_ns: 5000000 → 5000100 (+100)\n"));
  EXPECT_THAT(text, HasSubstr("+ scx_per_task[key 300] = task_ctx{tid=300, runtime_ns=1}\n"));
  EXPECT_THAT(text, HasSubstr("- scx_per_task[key 200] = task_ctx{tid=200, runtime_ns=9000000}\n"));
  EXPECT_THAT(text, HasSubstr("~ scx_pcpu[key 0] cpu 3: 44 → 50 (+6)\n"));
  EXPECT_THAT(text, HasSubstr("- map gone\n"));
  EXPECT_THAT(text, HasSubstr("+ map new_map\n"));
  std::string json = changes_to_json(diff_reports(a, b));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"({"kind":"changed","where":"bpf.bss nr_cpus_onln","map":"bpf.bss","field":"nr_cpus_onln","old":"4","new":"6","delta":"+2"})"));
  // Map, key and field stay apart in the JSON; added entries carry their value.
  EXPECT_THAT(
      json,
      HasSubstr(
          R"({"kind":"changed","where":"scx_pcpu[key 0] cpu 3","map":"scx_pcpu","key":"0","field":"cpu 3",)"));
  EXPECT_THAT(
      json,
      HasSubstr(
          R"({"kind":"entry_added","where":"scx_per_task[key 300]","map":"scx_per_task","key":"300","new":"task_ctx{tid=300, runtime_ns=1}"})"));
}

TEST(Diff, HostDeltas) {
  FailureDumpReport a, b;
  PerCpuTimeStats c;
  c.cpu = 0;
  c.cpustat_idle_ns = 100;
  a.per_cpu_time.push_back(c);
  c.cpustat_idle_ns = 250;
  b.per_cpu_time.push_back(c);
  EventCounterSample e;
  a.event_counter_timeline.push_back(e);
  e.dispatch_keep_last = 7;
  b.event_counter_timeline.push_back(e);
  std::string text = format_changes(diff_reports(a, b));
  EXPECT_THAT(text, HasSubstr("~ per_cpu_time cpu 0 cpustat_idle_ns: 100 → 250 (+150)\n"));
  EXPECT_THAT(text, HasSubstr("~ event dispatch_keep_last: 0 → 7 (+7)\n"));
}

}  // namespace
