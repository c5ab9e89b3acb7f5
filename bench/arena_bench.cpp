// Arena capture speed: an arena shaped like scx's (1 << 20 pages declared =
// 4 GiB of span at a fixed address), PAGES of them allocated by this
// process's own mapping (half at the start, as the allocator packs them, half
// scattered). Times, median of RUNS:
//   raw      this process copying its allocated pages from its own mapping
//            (what only the arena's owner can do; the floor)
//   tree     scxsnap finding the pages through the arena's free-range tree
//   every    scxsnap trying every page of the span (kernels before 6.12)
//   capture  scxsnap::capture_json of the map (the model and its JSON)
//   bpftool  `bpftool map dump id N` (for comparison: it cannot read arenas)
//   bench/arena_bench [PAGES] [RUNS] [SPAN_PAGES]
#include "capture/arena_reader.hpp"
#include "scxsnap/capture.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <string>
#include <sys/mman.h>
#include <vector>

using namespace scxsnap;

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kUserVm = 1ull << 45;

template <class F>
double median_ms(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t pages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4096;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::uint64_t span = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1u << 20;
  if (pages == 0 || pages > span || runs <= 0) {
    std::fprintf(stderr, "usage: arena_bench [PAGES <= SPAN_PAGES] [RUNS] [SPAN_PAGES]\n");
    return 2;
  }
  LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE, .map_extra = kUserVm);
  int fd = bpf_map_create(static_cast<bpf_map_type>(33), "bench_arena", 0, 0,
                          static_cast<std::uint32_t>(span), &mo);
  if (fd < 0) {
    std::fprintf(stderr, "arena: %s\n", std::strerror(errno));
    return 1;
  }
  void* m = ::mmap(reinterpret_cast<void*>(kUserVm), span * kPage, PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    std::fprintf(stderr, "mmap: %s\n", std::strerror(errno));
    return 1;
  }
  auto* user = static_cast<std::uint8_t*>(m);
  std::vector<std::uint64_t> at;
  for (std::uint64_t i = 0; i < pages / 2; ++i) at.push_back(i);
  const std::uint64_t rest = pages - pages / 2, stride = (span - pages / 2) / rest;
  for (std::uint64_t i = 0; i < rest; ++i) at.push_back(pages / 2 + i * stride);
  for (std::uint64_t k : at)
    for (std::uint64_t b = 0; b < kPage; b += 64)
      user[k * kPage + b] = static_cast<std::uint8_t>(k + b);
  bpf_map_info info{};
  std::uint32_t len = sizeof info;
  bpf_obj_get_info_by_fd(fd, &info, &len);

  std::vector<std::uint8_t> copy(pages * kPage);
  const double raw = median_ms(runs, [&] {
    for (std::size_t i = 0; i < at.size(); ++i)
      std::memcpy(copy.data() + i * kPage, user + at[i] * kPage, kPage);
  });
  std::size_t found = 0;
  const double tree = median_ms(runs, [&] {
    auto r = capture_detail::arena_pages(fd, capture_detail::ArenaScan::FreeTree);
    found = r ? r->size() : 0;
  });
  if (found != pages) std::fprintf(stderr, "tree found %zu pages, not %lu\n", found, pages);
  const double every = median_ms(std::max(1, runs / 2), [&] {
    auto r = capture_detail::arena_pages(fd, capture_detail::ArenaScan::EveryPage);
    found = r ? r->size() : 0;
  });
  if (found != pages) std::fprintf(stderr, "every-page found %zu pages, not %lu\n", found, pages);
  // The fixed part (vmlinux BTF, the reader program's load) on a 1-page arena.
  LIBBPF_OPTS(bpf_map_create_opts, so, .map_flags = BPF_F_MMAPABLE, .map_extra = kUserVm << 1);
  int small = bpf_map_create(static_cast<bpf_map_type>(33), "bench_arena1", 0, 0, 1, &so);
  const double fixed = median_ms(runs, [&] {
    auto r = capture_detail::arena_pages(small, capture_detail::ArenaScan::FreeTree);
    (void)r;
  });
  std::size_t json_bytes = 0;
  const double cap = median_ms(runs, [&] {
    CaptureOptions o;
    o.map_ids = {info.id};
    auto r = capture_json(o, JsonStyle::Compact);
    json_bytes = r ? r->size() : 0;
  });
  const std::string cmd = fmt::format("bpftool map dump id {} > /dev/null 2>&1", info.id);
  int bpftool_rc = 0;
  const double bt = median_ms(1, [&] { bpftool_rc = std::system(cmd.c_str()); });

  fmt::print("arena: {} pages allocated of {} declared ({} MiB of {} MiB)\n", pages, span,
             pages * kPage >> 20, span * kPage >> 20);
  fmt::print("raw copy by the owner      {:8.1f} ms\n", raw);
  fmt::print(
      "scxsnap, free-range tree   {:8.1f} ms  ({:.1f}x raw; {:.1f} ms of it fixed: vmlinux "
      "BTF and the reader program, timed on a 1-page arena)\n",
      tree, tree / raw, fixed);
  fmt::print("scxsnap, every page        {:8.1f} ms  ({:.1f}x raw, {:.1f}x the tree)\n", every,
             every / raw, every / tree);
  fmt::print("scxsnap capture_json       {:8.1f} ms  ({:.1f} MB of JSON, host context included)\n",
             cap, json_bytes / 1e6);
  fmt::print("bpftool map dump           {:8.1f} ms  (exit status {}: {})\n", bt, bpftool_rc,
             bpftool_rc == 0 ? "ran" : "cannot dump an arena");
  return 0;
}
