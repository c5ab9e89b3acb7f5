// Threads in native snapshots, without a kernel: a hash map served from
// memory through the KernelSource seam (memory_maps.hpp) is captured into a native snapshot while
// fault points make thread starts fail or workers run out of memory; the
// capture and the reader either finish with the same bytes or return an
// error, and nothing ends the process. Two threads read two samples of one
// native series at once (run under ThreadSanitizer by `make tsan`).
#include "capture/capture_internal.hpp"
#include "memory_maps.hpp"
#include "report/threads.hpp"
#include "scxsnap/scxsnap.hpp"
#include "temp_dir.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <new>
#include <system_error>
#include <thread>
#include <unistd.h>

using namespace scxsnap;
using namespace scxsnap::capture_detail;
using ::testing::HasSubstr;

namespace {

constexpr std::uint32_t kMemMapId = 4242, kMemEntries = 20000;

// A hash of kMemEntries u32 -> u64 (key * 0x9e3779b97f4a7c15) served from memory.
struct MemoryHash : MemoryMaps {
  MemoryHash() {
    MemoryMap& m = add(kMemMapId, BPF_MAP_TYPE_HASH, "mem_hash", 4, 8, kMemEntries);
    for (std::uint32_t k = 0; k < kMemEntries; ++k)
      put(m, k, std::uint64_t{k} * 0x9e3779b97f4a7c15ull);
  }
};

// Fault points a test turns on (the hook is a plain function pointer).
std::atomic<int> g_fail_thread_starts{0};  // starts refused while > 0
std::atomic<bool> g_oom_compress{false}, g_oom_render{false};

void hook(std::string_view point) {
  if (point == "thread start" && g_fail_thread_starts.fetch_sub(1) > 0)
    throw std::system_error(EAGAIN, std::generic_category(), "thread start refused by the test");
  if (point == "compress frame" && g_oom_compress) throw std::bad_alloc();
  if (point == "render chunk" && g_oom_render) throw std::bad_alloc();
}

struct NativeThreads : ::testing::Test {
  MemoryHash src;
  TempDir dir;
  CaptureOptions o;
  native::WriterOptions wo;
  void SetUp() override {
    o.map_ids = {kMemMapId};
    wo.threads = 2;
    wo.frame_bytes = 4096;  // many frames: many jobs for the workers
    detail::set_fault_hook(hook);
  }
  void TearDown() override {
    detail::set_fault_hook(nullptr);
    g_fail_thread_starts = 0;
    g_oom_compress = g_oom_render = false;
  }
  // The maps of a snapshot, through its JSON (written by the render threads).
  static Result<std::vector<FailureDumpMap>> maps_of(const std::string& path) {
    SCXSNAP_TRY(std::string j, json_of(path));
    SCXSNAP_TRY(FailureDumpReport r, parse_report(j));
    return std::move(r.maps);
  }
  // The snapshot's JSON, or the error.
  static Result<std::string> json_of(const std::string& path) {
    SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(path));
    std::string out;
    SCXSNAP_TRY_VOID(snap.write_json([&](std::string_view c) -> Result<void> {
      out += c;
      return {};
    }));
    return out;
  }
  std::vector<FailureDumpMap> reference() {
    const std::string path = dir.path() + "/reference.scxsnap";
    auto s = capture_native_to(o, src, path, wo);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
    auto m = maps_of(path);
    EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message());
    return m ? *m : std::vector<FailureDumpMap>{};
  }
};

TEST_F(NativeThreads, CaptureOfAMemoryMapRunsWithoutAKernel) {
  const std::vector<FailureDumpMap> maps = reference();
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].name, "mem_hash");
  ASSERT_EQ(maps[0].entries.size(), kMemEntries);
  EXPECT_FALSE(maps[0].error.has_value());
  auto seven = std::find_if(maps[0].entries.begin(), maps[0].entries.end(),
                            [](const FailureDumpEntry& e) { return e.key_hex == "07 00 00 00"; });
  ASSERT_NE(seven, maps[0].entries.end());
  EXPECT_EQ(seven->value_hex, "93 64 09 7b 12 54 84 53");  // 7 * 0x9e3779b97f4a7c15
}

TEST_F(NativeThreads, RefusedThreadStartsLeaveTheWorkToTheCaller) {
  const std::vector<FailureDumpMap> want = reference();
  for (int refused : {1, 2, 100}) {  // one worker fewer, none, and none for the renderer either
    g_fail_thread_starts = refused;
    const std::string path = dir.path() + "/fewer.scxsnap";
    auto s = capture_native_to(o, src, path, wo);
    ASSERT_TRUE(s.has_value()) << s.error().message();
    g_fail_thread_starts = refused;
    auto m = maps_of(path);
    ASSERT_TRUE(m.has_value()) << m.error().message();
    EXPECT_TRUE(*m == want) << refused << " thread starts refused";
  }
}

TEST_F(NativeThreads, OutOfMemoryInACompressionWorkerIsAnErrorAndNoFile) {
  g_oom_compress = true;
  const std::string path = dir.path() + "/oom.scxsnap";
  auto s = capture_native_to(o, src, path, wo);
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().message(), HasSubstr("out of memory compressing a native snapshot frame"));
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing half-written";
  // The same with no worker at all (frames compressed by the caller).
  g_fail_thread_starts = 100;
  auto inline_run = capture_native_to(o, src, path, wo);
  ASSERT_FALSE(inline_run.has_value());
  EXPECT_THAT(inline_run.error().message(), HasSubstr("out of memory"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(NativeThreads, OutOfMemoryInARenderThreadIsAnError) {
  const std::string path = dir.path() + "/render.scxsnap";
  ASSERT_TRUE(capture_native_to(o, src, path, wo).has_value());
  auto snap = NativeSnapshot::open(path);
  ASSERT_TRUE(snap.has_value()) << snap.error().message();
  g_oom_render = true;
  std::string out;
  auto r = snap->write_json([&](std::string_view c) -> Result<void> {
    out += c;
    return {};
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Internal);
  EXPECT_THAT(r.error().message(), HasSubstr("out of memory"));
  g_oom_render = false;
  auto again = maps_of(path);  // the file is intact, and reads in full
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->at(0).entries.size(), kMemEntries);
}

// A series whose later samples are stored as changes to earlier ones: each
// sample read alone, then two threads reading different samples of the one
// snapshot again and again must see exactly those.
TEST(NativeSeriesThreads, TwoThreadsReadTwoSamplesOfOneSeries) {
  const std::string path = std::string(SCXSNAP_FUZZ_CORPUS) + "/native/series-delta.scxsnap";
  auto snap = NativeSnapshot::open(path);
  ASSERT_TRUE(snap.has_value()) << snap.error().message();
  ASSERT_GE(snap->sample_count(), 2u);
  std::vector<std::string> want;
  for (std::size_t k = 0; k < snap->sample_count(); ++k) {
    auto r = snap->load_sample(k);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    want.push_back(to_json(*r));
  }
  ASSERT_NE(want.front(), want.back()) << "the seed's samples differ";
  std::atomic<int> wrong{0};
  auto reader = [&](std::size_t k) {
    for (int i = 0; i < 40; ++i) {
      auto r = snap->load_sample(k);
      if (!r || to_json(*r) != want[k]) ++wrong;
    }
  };
  std::thread a(reader, 0), b(reader, snap->sample_count() - 1);
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
