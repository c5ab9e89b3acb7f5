// State-over-time timings:
//   series_bench [SAMPLES] [MAPS] [DIFF_ENTRIES]
// 1) `check` work on a series of SAMPLES reports with MAPS maps each:
//    load the JSON Lines file, then evaluate four patterns;
// 2) diff of two reports with DIFF_ENTRIES hash entries (100 of them changed).
#include "bench_reports.hpp"
#include "scxsnap/diff.hpp"
#include "scxsnap/sample_series.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t samples = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  std::size_t maps = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
  std::size_t entries = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1000000;
  using namespace scxsnap;

  FailureDumpReport base = bench::make_many_maps_report(maps);
  base.active_obj_name = "obj0";
  std::string text;
  for (std::size_t i = 0; i < samples; ++i) {
    SampleRow row;
    row.tag = "periodic_" + std::to_string(i);
    row.elapsed_ms = i * 100;
    row.report = base;
    row.report.maps[0].value =
        RenderedValue::make_struct(".bss", {{"var0_0", RenderedValue::make_uint(64, i * 10)},
                                            {"shared", RenderedValue::make_uint(64, 5)}});
    text += SampleSeries::to_jsonl_line(row) + "\n";
  }
  std::string path = "/tmp/scxsnap_series_bench.jsonl";
  if (!write_file_atomic(path, text)) return 1;
  double t0 = now_s();
  auto series = SampleSeries::load_jsonl(path);
  double t1 = now_s();
  if (!series) {
    std::fprintf(stderr, "%s\n", series.error().message().c_str());
    return 1;
  }
  Verdict v;
  auto f = series->bpf_live_u64("var0_0");
  f.nondecreasing(v);
  series->bpf_live_f64("var0_0").rate_within(v, 0, 1);
  series->bpf_live_f64("var0_0").steady_within(v, 0, 10);
  series->bpf_live_f64("var0_0").each(v).at_least(0);
  double t2 = now_s();
  std::remove(path.c_str());
  std::printf(
      "check: %zu samples x %zu maps (%.1f MB JSON Lines): load %.3f s, 4 patterns %.3f s, verdict "
      "%s\n",
      samples, maps, text.size() / 1e6, t1 - t0, t2 - t1, v.passed() ? "pass" : "fail");

  FailureDumpReport a = bench::make_hash_report(entries, 0, 1);
  FailureDumpReport b = a;
  for (std::size_t i = 0; i < 100; ++i)
    b.maps[0].entries[i * (entries / 100)].value = RenderedValue::make_struct("task_ctx", {});
  double t3 = now_s();
  auto changes = diff_reports(a, b);
  double t4 = now_s();
  std::printf("diff: two reports of %zu hash entries: %.3f s, %zu changes\n", entries, t4 - t3,
              changes.size());
  return 0;
}
