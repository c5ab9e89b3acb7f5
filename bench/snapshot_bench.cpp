// Snapshot API timings (ns/op) at two sizes each, to show linear scaling.
#include "bench_reports.hpp"
#include "scxsnap/snapshot.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace scxsnap;

void BM_VarHit(benchmark::State& st) {
  auto r = bench::make_many_maps_report(static_cast<std::size_t>(st.range(0)));
  Snapshot s(r);
  for (auto _ : st) benchmark::DoNotOptimize(s.var("unique_var").as_u64());
}
void BM_VarMiss(benchmark::State& st) {
  auto r = bench::make_many_maps_report(static_cast<std::size_t>(st.range(0)));
  Snapshot s(r);
  for (auto _ : st) benchmark::DoNotOptimize(s.var("no_such_var").is_present());
}
void BM_VarAmbiguous(benchmark::State& st) {
  auto r = bench::make_many_maps_report(static_cast<std::size_t>(st.range(0)));
  Snapshot s(r);
  for (auto _ : st) benchmark::DoNotOptimize(s.var("shared").is_present());
}
void BM_FindInHash(benchmark::State& st) {
  auto n = static_cast<std::size_t>(st.range(0));
  auto r = bench::make_hash_report(n, 0, 1);
  Snapshot s(r);
  auto m = s.map("task_ctx_map").value();
  const std::int64_t want = static_cast<std::int64_t>(n - 1);  // the last entry: a full scan
  for (auto _ : st) {
    SnapshotEntry e =
        m.find([&](const SnapshotEntry& x) { return x.get("pid").as_i64().value_or(-1) == want; });
    benchmark::DoNotOptimize(e.is_present());
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(n));
}
void BM_CpuSumU64(benchmark::State& st) {
  auto r = bench::make_hash_report(1, 1, static_cast<std::size_t>(st.range(0)));
  Snapshot s(r);
  SnapshotEntry e = s.map("pcpu_0")->at(0);
  for (auto _ : st) benchmark::DoNotOptimize(e.cpu_sum_u64(""));
}

BENCHMARK(BM_VarHit)->Arg(1000)->Arg(2000);
BENCHMARK(BM_VarMiss)->Arg(1000)->Arg(2000);
BENCHMARK(BM_VarAmbiguous)->Arg(1000)->Arg(2000);
BENCHMARK(BM_FindInHash)->Arg(1000000)->Arg(2000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CpuSumU64)->Arg(256)->Arg(512);

}  // namespace

BENCHMARK_MAIN();
