// Capture through the KernelSource seam with maps served from memory: no kernel
// maps, no root. A map this machine cannot read (an arena whose pages need
// the kernel reader) is recorded with the reason, every other map is read,
// and `show` says which map could not be read and why; task storage over a
// /proc that cannot be listed says so.
#include "capture/capture_internal.hpp"
#include "capture/map_reader.hpp"
#include "capture/render_sinks.hpp"
#include "cli_util.hpp"
#include "memory_maps.hpp"
#include "scxsnap/scxsnap.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace scxsnap::capture_detail;
using ::testing::HasSubstr;

namespace {

// Map 501: a hash of 100 u32 -> u32 (value = key + 1000); map 502: an arena
// of 16 pages that exists nowhere but here (a lookup on it fails, as the
// kernel's does).
struct TwoMaps : MemoryMaps {
  TwoMaps() {
    MemoryMap& h = add(501, BPF_MAP_TYPE_HASH, "mem_hash", 4, 4, 100);
    for (std::uint32_t k = 0; k < 100; ++k) put(h, k, k + 1000);
    MemoryMap& a = add(502, 33 /* BPF_MAP_TYPE_ARENA */, "mem_arena", 0, 0, 16);
    a.info.map_flags = 1u << 10;  // BPF_F_MMAPABLE
    a.lookup_errno = EINVAL;
  }
};

TEST(CaptureSeam, AnArenaThatCannotBeReadIsSaidAndTheRestIsCaptured) {
  TwoMaps src;
  CaptureOptions o;
  o.map_ids = {501, 502};
  auto r = capture_model(o, src);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->maps.size(), 2u);
  const FailureDumpMap& hash = r->maps[0];
  EXPECT_EQ(hash.name, "mem_hash");
  ASSERT_EQ(hash.entries.size(), 100u);
  EXPECT_FALSE(hash.error.has_value());
  auto five = std::find_if(hash.entries.begin(), hash.entries.end(),
                           [](const FailureDumpEntry& e) { return e.key_hex == "05 00 00 00"; });
  ASSERT_NE(five, hash.entries.end());
  EXPECT_EQ(five->value_hex, "ed 03 00 00");  // 1005
  const FailureDumpMap& arena = r->maps[1];
  EXPECT_EQ(arena.name, "mem_arena");
  ASSERT_TRUE(arena.arena.has_value());
  EXPECT_TRUE(arena.arena->pages.empty());
  EXPECT_EQ(arena.arena->declared_pages, 16u);
  ASSERT_TRUE(arena.error.has_value());
  EXPECT_THAT(*arena.error, HasSubstr("arena pages and __arena globals are not read: "));

  // The report says it, and `show` tells the reader which map and why.
  TempDir dir;
  const std::string path = dir.path() + "/two.json";
  {
    std::ofstream out(path);
    out << to_json(*r) << "\n";
  }
  CliResult shown = run_cli({"show", path});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("mem_arena"));
  EXPECT_THAT(shown.out, HasSubstr(*arena.error));
}

// Task storage is looked up per thread of /proc: a /proc that cannot be
// listed is the map's error, never an empty map passed off as complete.
TEST(CaptureSeam, UnreadableProcIsAnErrorNotAnEmptyTaskStorage) {
  MemoryMaps src;
  src.add(601, 29 /* BPF_MAP_TYPE_TASK_STORAGE */, "task_ctx", 4, 8, 0);
  BtfCache btfs(src);
  ReadContext ctx{.src = src, .btfs = btfs};
  ModelSink sink(ctx);
  ctx.sink = &sink;
  for (const char* root : {"/nonexistent-proc", "/dev/null"}) {
    ctx.host.proc = root;
    const int fd = src.open_map(601);
    bpf_map_info raw{};
    ASSERT_EQ(src.map_info(fd, &raw), 0);
    CapturedMap out;
    read_map(to_map_info(raw), fd, ctx, out);
    ASSERT_TRUE(out.map.error.has_value()) << root;
    EXPECT_THAT(*out.map.error, HasSubstr(std::string("cannot list the threads in ") + root));
    EXPECT_TRUE(out.map.entries.empty());
  }
}

}  // namespace
