// A large map's entries rendered on several threads (capture/parallel_entries):
// the text is the serial rendering's, in the kernel's order, for hash and
// array maps of many chunks; a map below the threshold is rendered by one
// thread. Maps served from memory (no root); typed values and the render
// budget's cuts on the live kernel (capture_session_live_test.cpp).
#include "capture/parallel_entries.hpp"

#include "capture/capture_internal.hpp"
#include "memory_maps.hpp"
#include "scxsnap/scxsnap.hpp"

#include <gtest/gtest.h>

using namespace scxsnap;
using namespace scxsnap::capture_detail;

namespace {

// A hash of 20,000 u32 -> 24-byte values and an array of 9,000 u64s: many
// chunks each.
struct BigMaps : MemoryMaps {
  BigMaps() {
    MemoryMap& h = add(601, BPF_MAP_TYPE_HASH, "big_mem_hash", 4, 24, 32768);
    for (std::uint32_t k = 0; k < 20000; ++k) {
      std::vector<std::uint8_t> key(4), value(24);
      std::memcpy(key.data(), &k, 4);
      for (std::uint32_t b = 0; b < 24; ++b) value[b] = static_cast<std::uint8_t>(k * 7 + b);
      h.entries[key] = value;
    }
    MemoryMap& a = add(602, BPF_MAP_TYPE_ARRAY, "big_mem_array", 4, 8, 9000);
    for (std::uint32_t k = 0; k < 9000; ++k) {
      std::vector<std::uint8_t> key(4), value(8);
      std::memcpy(key.data(), &k, 4);
      const std::uint64_t v = std::uint64_t{k} * 0x9e3779b97f4a7c15ull;
      std::memcpy(value.data(), &v, 8);
      a.entries[key] = value;
    }
  }
};

TEST(ParallelEntries, LargeMapsRenderAsTheSerialModelDoesInOrder) {
  BigMaps src;
  CaptureOptions o;
  o.map_ids = {601, 602};
  auto model = capture_model(o, src);  // the tree: rendered by one thread
  ASSERT_TRUE(model.has_value()) << model.error().message();
  ASSERT_EQ(model->maps.size(), 2u);
  EXPECT_EQ(model->maps[0].entries.size(), 20000u);
  EXPECT_EQ(model->maps[1].array_entries.size(), 9000u);
  auto text = capture_text(o, src, JsonStyle::Compact);  // the text: in chunks, on workers
  ASSERT_TRUE(text.has_value()) << text.error().message();
  auto back = parse_report(*text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  ASSERT_EQ(back->maps.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    FailureDumpReport a, b;
    a.maps = {model->maps[i]};
    b.maps = {back->maps[i]};
    const std::string ja = to_json(a), jb = to_json(b);
    EXPECT_EQ(ja.size(), jb.size()) << model->maps[i].name;
    EXPECT_TRUE(ja == jb) << model->maps[i].name << ": the texts differ";
  }
  EXPECT_FALSE(back->maps[0].error.has_value());
}

TEST(ParallelEntries, OnlyLargeMapsWithoutFollowedPointersAreWorthThreads) {
  RenderLimits plain;
  EXPECT_TRUE(ParallelEntries::worth_it(32768, 28, plain));
  EXPECT_FALSE(ParallelEntries::worth_it(64, 28, plain));          // a scheduler's small map
  EXPECT_FALSE(ParallelEntries::worth_it(32768, 1 << 20, plain));  // huge values
  RenderLimits arenas;
  arenas.follow_pointer = [](std::uint64_t, std::uint32_t) { return PointerTarget{}; };
  EXPECT_FALSE(ParallelEntries::worth_it(32768, 28, arenas));  // plans compiled on the way
}

}  // namespace
