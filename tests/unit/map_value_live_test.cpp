// Large global sections are read through a read-only shared mapping of the
// kernel's pages (KernelSource::map_value): the bytes are the kernel's,
// later writes show through the mapping, the owner can still freeze the map,
// and captures (model, JSON, native, a recorded tape replayed by lookup)
// render what the kernel holds.
#include "bpf_fixture.hpp"
#include "capture/kernel_tape.hpp"
#include "scxsnap/scxsnap.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <memory>
#include <vector>

using namespace scxsnap;
using capture_detail::system_kernel_source;
using capture_detail::ValueBytes;

namespace {

// The .bss of globals.bpf.o filled with a pattern no zero page could show.
struct PatternedBss {
  LoadedObject lo{"globals.bpf.o"};
  bpf_map* bss = nullptr;
  std::uint32_t id = 0;
  std::vector<std::uint8_t> bytes;

  PatternedBss() {
    if (!lo.obj) return;
    bss = lo.map_ending(".bss");
    if (!bss) return;
    id = LoadedObject::id_of(bss);
    bytes.resize(bpf_map__value_size(bss));
    for (std::size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<std::uint8_t>(i * 131 + 7 + (i >> 12));
    write();
  }
  void write() const {
    const std::uint32_t zero = 0;
    EXPECT_EQ(bpf_map_update_elem(bpf_map__fd(bss), &zero, bytes.data(), BPF_ANY), 0);
  }
  std::uint64_t u64_at(std::size_t off) const {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + off, sizeof v);
    return v;
  }
  // ring_head, ring[20000] of 16-byte slots, ring_tail (the object's layout).
  std::uint64_t head() const { return u64_at(0); }
  std::uint64_t seq(std::size_t i) const { return u64_at(8 + 16 * i); }
  std::uint64_t tail() const { return u64_at(8 + 16 * 20000); }
};

void expect_pattern(const FailureDumpReport& r, const PatternedBss& p, const char* how) {
  Snapshot s(r);
  EXPECT_EQ(s.var("ring_head").as_u64().value_or(0), p.head()) << how;
  EXPECT_EQ(s.var("ring_tail").as_u64().value_or(0), p.tail()) << how;
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{4095}}) {
    auto v = s.var("ring").get(fmt::format("[{}].seq", i)).as_u64();
    ASSERT_TRUE(v.has_value()) << how << ": " << v.error().message();
    EXPECT_EQ(*v, p.seq(i)) << how << " ring[" << i << "]";
  }
}

std::string map_json(const FailureDumpReport& r, std::uint32_t id) {
  for (const auto& m : r.maps)
    if (m.map_id == id) {
      FailureDumpReport one;
      one.maps.push_back(m);
      return to_json(one);
    }
  return "map " + std::to_string(id) + " is missing";
}

}  // namespace

TEST(MapValueLive, TheMappingHoldsTheKernelsBytesAndFollowsLaterWrites) {
  PatternedBss p;
  ASSERT_NE(p.id, 0u);
  ASSERT_GE(p.bytes.size(), std::size_t{64} << 10);  // large enough to be mapped
  std::unique_ptr<ValueBytes> view;
  ASSERT_EQ(system_kernel_source().map_value(p.id, p.bytes.size(), &view), 0);
  ASSERT_EQ(view->bytes().size(), p.bytes.size());
  EXPECT_TRUE(std::ranges::equal(view->bytes(), p.bytes));
  // Shared, not a copy: a later write is seen through the same mapping.
  p.bytes[4096 + 3] ^= 0xff;
  p.write();
  EXPECT_EQ(view->bytes()[4096 + 3], p.bytes[4096 + 3]);
  // Mapped PROT_READ: the owner can still freeze the map (no writable
  // mapping counts against it), and then writes by syscall are refused.
  EXPECT_EQ(bpf_map_freeze(bpf_map__fd(p.bss)), 0) << std::strerror(errno);
  const std::uint32_t zero = 0;
  EXPECT_NE(bpf_map_update_elem(bpf_map__fd(p.bss), &zero, p.bytes.data(), BPF_ANY), 0);
}

TEST(MapValueLive, ANonMmapableOrSmallValueIsStillLookedUp) {
  PatternedBss p;
  ASSERT_NE(p.id, 0u);
  // .data is mmap-able but small: the capture looks it up; its value is right.
  CaptureOptions o;
  o.map_ids = {LoadedObject::id_of(p.lo.map_ending(".data"))};
  auto r = capture(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(Snapshot(*r).var("nr_events").as_u64().value_or(0), 7u);
  // A map that cannot be mapped says so with an errno (a hash is not mmap-able).
  std::unique_ptr<ValueBytes> view;
  EXPECT_LT(system_kernel_source().map_value(0xffffffffu, 4096, &view), 0);
  EXPECT_EQ(view, nullptr);
}

TEST(MapValueLive, CapturesRenderTheMappedBytesInEveryOutputAndOnTape) {
  PatternedBss p;
  ASSERT_NE(p.id, 0u);
  TempDir dir;
  CaptureOptions o;
  o.map_ids = {p.id};
  o.max_value_bytes = 0;  // all of it
  o.record_kernel = dir.path() + "/k.tape";
  auto live = capture(o);
  ASSERT_TRUE(live.has_value()) << live.error().message();
  o.record_kernel.reset();
  expect_pattern(*live, p, "model");

  auto text = capture_json(o);
  ASSERT_TRUE(text.has_value()) << text.error().message();
  auto back = parse_report(*text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  expect_pattern(*back, p, "JSON");
  EXPECT_EQ(map_json(*back, p.id), map_json(*live, p.id));

  ASSERT_TRUE(capture_native(o, dir.path() + "/k.scxsnap").has_value());
  auto read = load_any_dump(dir.path() + "/k.scxsnap");
  ASSERT_TRUE(read.has_value()) << read.error().message();
  const auto* nr = std::get_if<FailureDumpReport>(&*read);
  ASSERT_NE(nr, nullptr);
  expect_pattern(*nr, p, "native");
  EXPECT_EQ(map_json(*nr, p.id), map_json(*live, p.id));

  // The recorder wrote the mapping as the lookup it stands for; the replay
  // looks it up from the tape (no mapping there) and renders the same.
  o.replay_kernel = dir.path() + "/k.tape";
  auto replayed = capture(o);
  ASSERT_TRUE(replayed.has_value()) << replayed.error().message();
  expect_pattern(*replayed, p, "replay");
  EXPECT_EQ(map_json(*replayed, p.id), map_json(*live, p.id));
}
