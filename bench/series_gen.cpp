// series_gen SAMPLES MAPS CPUS FILE: a `watch`-shaped series for the HTML
// report benchmark: MAPS objects' .bss (four counters, four gauges each)
// and four per-CPU maps of CPUS slots, every value moving, 100 ms apart,
// two phases.
#include "scxsnap/sample_series.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s SAMPLES MAPS CPUS FILE\n", argv[0]);
    return 2;
  }
  const std::size_t samples = std::strtoul(argv[1], nullptr, 10);
  const std::size_t maps = std::strtoul(argv[2], nullptr, 10);
  const std::size_t cpus = std::strtoul(argv[3], nullptr, 10);
  using namespace scxsnap;
  std::string text;
  for (std::size_t i = 0; i < samples; ++i) {
    SampleRow row;
    row.tag = "periodic_" + std::to_string(i);
    row.elapsed_ms = i * 100;
    row.step_index = static_cast<std::uint16_t>(i * 2 / samples);
    FailureDumpReport& r = row.report;
    r.active_obj_name = "obj0";
    for (std::size_t m = 0; m < maps; ++m) {
      FailureDumpMap map;
      map.name = "obj" + std::to_string(m) + ".bss";
      map.map_type = 2;
      map.value_size = 64;
      map.max_entries = 1;
      std::vector<RenderedMember> v;
      for (std::size_t k = 0; k < 4; ++k)
        v.emplace_back("nr_" + std::to_string(k), RenderedValue::make_uint(64, i * (k + m + 1)));
      for (std::size_t k = 0; k < 4; ++k)
        v.emplace_back(
            "load_" + std::to_string(k),
            RenderedValue::make_int(64, static_cast<std::int64_t>((i * 7 + k * m) % 101)));
      map.value = RenderedValue::make_struct(".bss", std::move(v));
      r.maps.push_back(std::move(map));
    }
    for (std::size_t p = 0; p < 4; ++p) {
      FailureDumpMap map;
      map.name = "pcpu_" + std::to_string(p);
      map.map_type = 6;
      map.value_size = 8;
      map.max_entries = 1;
      FailureDumpPercpuEntry e;
      for (std::size_t c = 0; c < cpus; ++c)
        e.per_cpu.emplace_back(RenderedValue::make_uint(64, i * (c % 7 + 1) * (p + 1)));
      map.percpu_entries.push_back(std::move(e));
      r.maps.push_back(std::move(map));
    }
    text += SampleSeries::to_jsonl_line(row) + "\n";
  }
  return write_file_atomic(argv[4], text) ? 0 : 1;
}
