// Capture speed against the peers, in one run on one map: a 200,000-entry
// HASH with a 64-byte struct value.
//   capture_bench BPF_OBJECT [ENTRIES] [REPS] [MORE_OBJECTS...]
// Prints the median of REPS for: scxsnap capture_json of the map, a raw
// BPF_MAP_LOOKUP_BATCH walk that renders nothing, and `bpftool -j map dump`;
// then the time to capture the whole host with MORE_OBJECTS also loaded.
#include "scxsnap/capture.hpp"
#include "scxsnap/native.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class Fn>
double median_of(int reps, Fn&& fn) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    double a = now_s();
    fn();
    t.push_back(now_s() - a);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  // --hold: fill the map, print its id, hold it until stdin closes (for
  // bench/process_bench.sh, which measures whole processes against it).
  const bool hold = argc > 1 && std::string_view(argv[1]) == "--hold";
  if (hold) {
    --argc;
    ++argv;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--hold] BPF_OBJECT [ENTRIES] [REPS]\n", argv[0]);
    return 2;
  }
  std::uint32_t n = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 200000;
  int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  bpf_object* obj = bpf_object__open_file(argv[1], nullptr);
  if (!obj || bpf_object__load(obj) != 0) {
    std::fprintf(stderr, "cannot load %s (run as root)\n", argv[1]);
    return 1;
  }
  bpf_map* m = bpf_object__find_map_by_name(obj, "pb_hash");
  int fd = bpf_map__fd(m);
  std::uint32_t vs = bpf_map__value_size(m);
  std::vector<std::uint32_t> keys(n);
  std::vector<std::uint8_t> values(std::size_t{n} * vs);
  for (std::uint32_t i = 0; i < n; ++i) {
    keys[i] = i * 2654435761u;
    std::uint8_t* v = &values[std::size_t{i} * vs];
    for (std::uint32_t b = 0; b < vs; ++b) v[b] = static_cast<std::uint8_t>(i + b * 7);
    std::memcpy(v + 16, "kworker/1:2\0\0\0\0", 16);
    std::uint32_t st = i % 3;
    std::memcpy(v + 32, &st, 4);
  }
  for (std::uint32_t off = 0; off < n;) {
    std::uint32_t cnt = std::min<std::uint32_t>(4096, n - off);
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    if (bpf_map_update_batch(fd, &keys[off], &values[std::size_t{off} * vs], &cnt, &opts) != 0) {
      std::perror("update_batch");
      return 1;
    }
    off += cnt;
  }
  bpf_map_info info{};
  std::uint32_t len = sizeof info;
  bpf_obj_get_info_by_fd(fd, &info, &len);
  if (hold) {
    std::printf("%u\n", info.id);
    std::fflush(stdout);
    char c;
    while (::read(0, &c, 1) > 0) {
    }
    bpf_object__close(obj);
    return 0;
  }

  std::size_t out_size = 0;
  scxsnap::CaptureOptions o;
  o.map_ids = {info.id};
  // Streamed into /dev/null, as bpftool's output is below.
  double ours = median_of(reps, [&] {
    auto s = scxsnap::capture_to_file(o, "/dev/null");
    if (!s) std::abort();
    out_size = s->bytes;
  });
  double ours_string = median_of(reps, [&] {
    auto j = scxsnap::capture_json(o);
    if (!j) std::abort();
  });
  double raw = median_of(reps, [&] {
    std::vector<std::uint8_t> k(4096 * 4), v(std::size_t{4096} * vs);
    std::uint32_t in = 0, out = 0, total = 0;
    bool first = true;
    while (true) {
      std::uint32_t cnt = 4096;
      LIBBPF_OPTS(bpf_map_batch_opts, opts);
      int rc =
          bpf_map_lookup_batch(fd, first ? nullptr : &in, &out, k.data(), v.data(), &cnt, &opts);
      total += cnt;
      if (rc != 0) break;
      in = out;
      first = false;
    }
    if (total != n) std::abort();
  });
  // Native: raw bytes + BTF, into a regular file (synced, like the JSON file).
  const std::string snap = "/tmp/capture_bench.scxsnap";
  std::size_t native_size = 0;
  double native = median_of(reps, [&] {
    auto s = scxsnap::capture_native(o, snap);
    if (!s) {
      std::fprintf(stderr, "%s\n", s.error().message().c_str());
      std::abort();
    }
    native_size = s->bytes;
  });
  double convert = median_of(reps, [&] {
    if (!scxsnap::convert_native(snap, "/dev/null")) std::abort();
  });
  // A native series of the map: 100 samples, 1% of the entries changing
  // between samples; its size against one sample's file.
  const std::string series_path = "/tmp/capture_bench_series.scxsnap";
  double series_s = 0;
  std::size_t series_size = 0;
  {
    auto w = scxsnap::NativeSeriesWriter::create(series_path);
    if (!w) std::abort();
    double a = now_s();
    for (int k = 0; k < 100; ++k) {
      for (std::uint32_t i = static_cast<std::uint32_t>(k) % 100; i < n; i += 100) {
        std::uint8_t* v = &values[std::size_t{i} * vs];
        v[0] = static_cast<std::uint8_t>(v[0] + 1);
        if (bpf_map_update_elem(fd, &keys[i], v, BPF_ANY) != 0) std::abort();
      }
      double b = now_s();
      if (!w->capture(o, "periodic_" + std::to_string(k), static_cast<std::uint64_t>(k)))
        std::abort();
      series_s += now_s() - b;
    }
    (void)a;
    if (!w->commit()) std::abort();
    series_size = std::filesystem::file_size(series_path);
  }
  if (!std::getenv("KEEP_SERIES")) std::filesystem::remove(series_path);
  std::filesystem::remove(snap);
  std::string cmd = "bpftool -j map dump id " + std::to_string(info.id) + " > /dev/null";
  double bpftool = median_of(reps, [&] {
    if (std::system(cmd.c_str()) != 0) std::abort();
  });
  std::printf("entries %u value_size %u reps %d (median)\n", n, vs, reps);
  std::printf("scxsnap capture (render + JSON) %.3f s  %.0f entries/s  %.1f MB JSON\n", ours,
              n / ours, out_size / 1e6);
  std::printf("  (capture_json into one string: %.3f s)\n", ours_string);
  std::printf("raw LOOKUP_BATCH (no render)    %.3f s  %.0f entries/s  %.1f MB raw\n", raw, n / raw,
              (std::size_t{n} * (4 + vs)) / 1e6);
  std::printf("scxsnap capture --format native %.3f s  %.0f entries/s  %.1f MB file\n", native,
              n / native, native_size / 1e6);
  std::printf("scxsnap convert native -> JSON  %.3f s\n", convert);
  std::printf(
      "native series, 100 samples, 1%% of entries changing per sample: %.1f MB file = "
      "%.2fx one sample's file; %.3f s per sample\n",
      series_size / 1e6, static_cast<double>(series_size) / native_size, series_s / 100);
  std::printf("bpftool -j map dump             %.3f s  %.0f entries/s\n", bpftool, n / bpftool);
  std::printf("scxsnap vs bpftool: %.1fx faster; scxsnap vs raw batch: %.1fx slower\n",
              bpftool / ours, ours / raw);
  std::printf(
      "native vs raw batch: %.2fx; native vs bpftool: %.1fx faster; file %.2fx the raw "
      "bytes; convert vs direct JSON capture: %.2fx\n",
      native / raw, bpftool / native,
      static_cast<double>(native_size) / (std::size_t{n} * (4 + vs)), convert / ours);
  std::vector<bpf_object*> more;
  for (int i = 4; i < argc; ++i) {
    bpf_object* o2 = bpf_object__open_file(argv[i], nullptr);
    if (o2 && bpf_object__load(o2) == 0) more.push_back(o2);
  }
  std::size_t host_size = 0, host_maps = 0;
  double host = median_of(reps, [&] {
    auto r = scxsnap::capture_to_file(scxsnap::CaptureOptions{}, "/dev/null");
    if (!r) std::abort();
    host_size = r->bytes;
  });
  {
    auto r = scxsnap::capture(scxsnap::CaptureOptions{});
    if (r) host_maps = r->maps.size();
  }
  std::printf("whole host (%zu maps, %zu extra objects loaded): %.3f s, %.1f MB JSON\n", host_maps,
              more.size(), host, host_size / 1e6);
  for (bpf_object* o2 : more) bpf_object__close(o2);
  bpf_object__close(obj);
  return 0;
}
