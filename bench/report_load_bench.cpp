// Report load/write timing and peak memory against nlohmann::json.
//   report_load_bench gen FILE ENTRIES      write a synthetic report
//   report_load_bench scxsnap FILE          load with scxsnap, print ms and peak RSS
//   report_load_bench nlohmann FILE         parse with nlohmann::json, same
//   report_load_bench write FILE            load, then time to_json
//   report_load_bench convert FILE OUT      scxsnap's convert (read, validate, write OUT)
//   report_load_bench nlohmann-convert FILE OUT   the same with nlohmann::json (parse, dump)
// Each measurement runs in its own process so peak RSS is its own.
#include "bench_reports.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/report.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/resource.h>

namespace {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(
        stderr,
        "usage: %s gen|scxsnap|nlohmann|write FILE [ENTRIES] | convert|nlohmann-convert FILE OUT\n",
        argv[0]);
    return 2;
  }
  std::string mode = argv[1], file = argv[2];
  if (mode == "gen") {
    std::size_t n = argc > 3 ? std::stoul(argv[3]) : 1000000;
    auto r = bench::make_hash_report(n, 8, 256);
    auto w = scxsnap::write_file_atomic(file, scxsnap::to_json(r));
    if (!w) {
      std::fprintf(stderr, "%s\n", w.error().message().c_str());
      return 1;
    }
    return 0;
  }
  if (mode == "scxsnap") {
    double t0 = now_ms();
    auto r = scxsnap::load_report(file);
    double t1 = now_ms();
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      return 1;
    }
    std::printf("scxsnap_load_ms %.1f peak_rss_kb %ld maps %zu\n", t1 - t0, peak_rss_kb(),
                r->maps.size());
    return 0;
  }
  if (mode == "write") {
    auto r = scxsnap::load_report(file);
    if (!r) return 1;
    double t0 = now_ms();
    std::string out = scxsnap::to_json(*r);
    double t1 = now_ms();
    std::printf("scxsnap_write_ms %.1f bytes %zu\n", t1 - t0, out.size());
    return 0;
  }
  if (mode == "convert" && argc > 3) {
    double t0 = now_ms();
    auto r = scxsnap::convert_dump_file(file, argv[3]);
    double t1 = now_ms();
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      return 1;
    }
    std::printf("scxsnap_convert_ms %.1f peak_rss_kb %ld\n", t1 - t0, peak_rss_kb());
    return 0;
  }
  if (mode == "nlohmann-convert" && argc > 3) {
    double t0 = now_ms();
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(ss.str());
    std::ofstream(argv[3], std::ios::binary) << j.dump();
    double t1 = now_ms();
    std::printf("nlohmann_convert_ms %.1f peak_rss_kb %ld\n", t1 - t0, peak_rss_kb());
    return 0;
  }
  if (mode == "nlohmann") {
    double t0 = now_ms();
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(ss.str());
    double t1 = now_ms();
    std::printf("nlohmann_load_ms %.1f peak_rss_kb %ld maps %zu\n", t1 - t0, peak_rss_kb(),
                j["maps"].size());
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
