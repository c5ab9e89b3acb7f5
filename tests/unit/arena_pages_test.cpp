// The arithmetic of an arena read, without a kernel: kernel memory laid out
// as the kernel lays out an arena (struct bpf_arena, its vm area, the
// free-range tree of range_nodes, the pages at kern_vm_start + low 32 bits of
// their user address) and served through the KernelMemory seam, with pages
// that were never allocated unmapped (-EFAULT) as in the kernel. Runs on any
// machine, also where the kernel refuses arenas.
#include "capture/arena_pages.hpp"

#include <cerrno>
#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <set>

using namespace scxsnap;
using namespace scxsnap::capture_detail;

namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kPages = 64;
// A user address whose low 32 bits are not zero: they, not the page number
// alone, place a page in the kernel range.
constexpr std::uint64_t kUserStart = 0x7f1234560000ull;
constexpr std::uint64_t kArenaStruct = 0xffff888000100000ull;
constexpr std::uint64_t kVmStruct = 0xffff888000200000ull;
constexpr std::uint64_t kVmAddr = 0xffffc90000000000ull;
constexpr std::uint64_t kGuard = 64 * 1024;  // the kernel's GUARD_SZ, split before and after
constexpr std::uint64_t kKernStart = kVmAddr + kGuard / 2;
constexpr std::uint64_t kNodes = 0xffff888000300000ull;

// struct bpf_arena / vm_struct / rb_node / range_node, as offsets.
ArenaLayout layout() {
  ArenaLayout l;
  l.user_vm_start = 16;
  l.user_vm_end = 24;
  l.kern_vm = 32;
  l.vm_addr = 8;
  l.vm_size = 16;
  l.vm_flags = 24;
  ArenaLayout::FreeTree t;
  t.root = 64;
  t.rb_right = 8;  // rb_node: __rb_parent_color, rb_right, rb_left
  t.rb_left = 16;
  t.node = 0;  // range_node: rn_rbnode, rn_start, rn_last, __rn_subtree_last
  t.start = 24;
  t.last = 28;
  t.size = 40;
  l.free_tree = t;
  return l;
}

// Sparse kernel memory: whole pages that exist, everything else unmapped.
struct FakeMemory : KernelMemory {
  std::map<std::uint64_t, std::vector<std::uint8_t>> pages;  // by page address
  std::vector<std::vector<std::uint8_t>> out;
  int reads = 0;
  std::function<void(FakeMemory&)> before_read;  // the kernel changing under the walk

  std::uint64_t map_address() const override { return kArenaStruct; }
  Result<bool> read(std::span<Chunk> chunks) override {
    EXPECT_LE(chunks.size(), kBatch);
    ++reads;
    if (before_read) before_read(*this);
    out.assign(chunks.size(), {});
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      Chunk& c = chunks[i];
      c.bytes = {};
      if (c.len == 0) continue;
      c.rc = copy(c.kaddr, c.len, out[i]) ? 0 : -EFAULT;
      if (c.rc == 0) c.bytes = out[i];
    }
    return true;
  }
  bool copy(std::uint64_t kaddr, std::uint32_t len, std::vector<std::uint8_t>& to) const {
    to.resize(len);
    for (std::uint32_t k = 0; k < len; ++k) {
      auto it = pages.find((kaddr + k) & ~(kPage - 1));
      if (it == pages.end()) return false;
      to[k] = it->second[(kaddr + k) & (kPage - 1)];
    }
    return true;
  }
  void poke(std::uint64_t kaddr, const void* src, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(src);
    for (std::size_t k = 0; k < n; ++k) {
      auto& p = pages[(kaddr + k) & ~(kPage - 1)];
      p.resize(kPage);
      p[(kaddr + k) & (kPage - 1)] = b[k];
    }
  }
  void poke64(std::uint64_t kaddr, std::uint64_t v) { poke(kaddr, &v, 8); }
  void poke32(std::uint64_t kaddr, std::uint32_t v) { poke(kaddr, &v, 4); }
  void unmap_page(std::uint64_t kaddr) { pages.erase(kaddr & ~(kPage - 1)); }
};

std::uint64_t page_kaddr(std::uint64_t k) {
  return kKernStart + static_cast<std::uint32_t>(kUserStart + k * kPage);
}

// An arena of 64 pages with pages {0, 3, 9, 62, 63} allocated, each filled
// with its number; the free-range tree lists [1,2], [4,8], [10,61].
struct ArenaMemory : ::testing::Test {
  FakeMemory mem;
  ArenaLayout l = layout();
  const std::set<std::uint64_t> allocated{0, 3, 9, 62, 63};

  void SetUp() override {
    mem.poke64(kArenaStruct + l.user_vm_start, kUserStart);
    mem.poke64(kArenaStruct + l.user_vm_end, kUserStart + kPages * kPage);
    mem.poke64(kArenaStruct + l.kern_vm, kVmStruct);
    mem.poke64(kVmStruct + l.vm_addr, kVmAddr);
    mem.poke64(kVmStruct + l.vm_size, (1ull << 32) + kGuard + kPage);  // + the trailing guard page
    mem.poke64(kVmStruct + l.vm_flags, 0);
    for (std::uint64_t k : allocated) {
      std::vector<std::uint8_t> bytes(kPage, static_cast<std::uint8_t>(k));
      bytes[0] = 0xa0;
      mem.poke(page_kaddr(k), bytes.data(), bytes.size());
    }
    // Root [4,8], left [1,2], right [10,61].
    node(0, 4, 8, 1, 2);
    node(1, 1, 2, 0, 0);
    node(2, 10, 61, 0, 0);
    mem.poke64(kArenaStruct + l.free_tree->root, node_addr(0));
  }
  static std::uint64_t node_addr(int i) { return kNodes + static_cast<std::uint64_t>(i) * 64; }
  // Range node i over [start, last] with children (node numbers, 0 = none
  // unless it is a real child index given as left/right > 0).
  void node(int i, std::uint32_t start, std::uint32_t last, int left, int right) {
    const auto& t = *l.free_tree;
    const std::uint64_t at = node_addr(i);
    mem.poke64(at + t.node + t.rb_left, left ? node_addr(left) : 0);
    mem.poke64(at + t.node + t.rb_right, right ? node_addr(right) : 0);
    mem.poke32(at + t.start, start);
    mem.poke32(at + t.last, last);
  }
  ArenaRange range() {
    auto r = arena_range(mem, l, kPage);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    return r ? *r : ArenaRange{};
  }
  std::set<std::uint64_t> page_numbers(const PageScan& s) {
    std::set<std::uint64_t> out;
    for (const ArenaPage& p : s.pages) {
      EXPECT_EQ((p.user_addr - kUserStart) % kPage, 0u);
      const std::uint64_t k = (p.user_addr - kUserStart) / kPage;
      EXPECT_EQ(p.bytes.size(), kPage);
      EXPECT_EQ(p.bytes[0], 0xa0);
      EXPECT_EQ(p.bytes[1], static_cast<std::uint8_t>(k)) << "page " << k << " has another's bytes";
      out.insert(k);
    }
    return out;
  }
};

TEST_F(ArenaMemory, RangeComesFromTheArenaAndItsVmArea) {
  const ArenaRange r = range();
  EXPECT_EQ(r.user_vm_start, kUserStart);
  EXPECT_EQ(r.user_vm_end, kUserStart + kPages * kPage);
  EXPECT_EQ(r.kern_vm_start, kKernStart);
  EXPECT_EQ(r.pages(), kPages);
  // Page 5 of the arena: kern_vm_start plus the low 32 bits of its user address.
  EXPECT_EQ(arena_kernel_address(r, kUserStart + 5 * kPage),
            kKernStart + 0x34560000ull + 5 * kPage);
}

TEST_F(ArenaMemory, AVmAreaOfAnotherShapeIsRefusedNotGuessed) {
  mem.poke64(kVmStruct + l.vm_size, (1ull << 32) + kPage);  // no guard: not an arena's
  auto r = arena_range(mem, l, kPage);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("does not have the layout scxsnap knows"));
  mem.unmap_page(kVmStruct);
  auto gone = arena_range(mem, l, kPage);
  ASSERT_FALSE(gone.has_value());
  EXPECT_THAT(gone.error().message(), ::testing::HasSubstr("reading kernel address 0x"));
}

TEST_F(ArenaMemory, FreeRangeTreeAndEveryPageFindTheSamePages) {
  const ArenaRange r = range();
  const Runs runs = candidate_pages(mem, l, r.pages());
  EXPECT_EQ(runs, (Runs{{0, 1}, {3, 4}, {9, 10}, {62, 64}}));
  auto by_tree = scan_pages(mem, r, runs, 0, {});
  ASSERT_TRUE(by_tree.has_value());
  EXPECT_EQ(page_numbers(*by_tree), allocated);
  EXPECT_EQ(by_tree->scanned, allocated.size());  // only the pages the tree leaves
  ArenaLayout no_tree = l;
  no_tree.free_tree.reset();  // a kernel before 6.12
  const Runs all = candidate_pages(mem, no_tree, r.pages());
  EXPECT_EQ(all, (Runs{{0, kPages}}));
  auto by_scan = scan_pages(mem, r, all, 0, {});
  ASSERT_TRUE(by_scan.has_value());
  EXPECT_EQ(page_numbers(*by_scan), allocated);
  EXPECT_EQ(by_scan->scanned, kPages);
  EXPECT_FALSE(by_scan->capped || by_scan->stopped);
}

TEST_F(ArenaMemory, APageFreedSinceTheTreeWalkIsNotCaptured) {
  const ArenaRange r = range();
  const Runs runs = candidate_pages(mem, l, r.pages());
  mem.unmap_page(page_kaddr(9));
  auto s = scan_pages(mem, r, runs, 0, {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(page_numbers(*s), (std::set<std::uint64_t>{0, 3, 62, 63}));
}

TEST_F(ArenaMemory, ATreeThatWillNotHoldStillGivesWayToEveryPage) {
  int flips = 0;
  mem.before_read = [&](FakeMemory&) { node(2, 10, 60 + (++flips % 2), 0, 0); };
  EXPECT_FALSE(tree_pages(mem, l, kPages).has_value());
  EXPECT_EQ(candidate_pages(mem, l, kPages), (Runs{{0, kPages}}));
}

TEST_F(ArenaMemory, ACyclicOrOverlappingTreeIsNotBelieved) {
  node(2, 10, 61, 0, 1);  // right child's right points back at the left node: a cycle-ish graph
  node(1, 1, 2, 0, 2);
  EXPECT_FALSE(tree_pages(mem, l, kPages).has_value());
  SetUp();
  node(1, 1, 5, 0, 0);  // overlaps [4,8]
  EXPECT_FALSE(tree_pages(mem, l, kPages).has_value());
  SetUp();
  node(2, 10, 64, 0, 0);  // past the arena
  EXPECT_FALSE(tree_pages(mem, l, kPages).has_value());
}

TEST_F(ArenaMemory, CapAndStopEndTheScanAndSaySo) {
  const ArenaRange r = range();
  auto capped = scan_pages(mem, r, Runs{{0, kPages}}, 2, {});
  ASSERT_TRUE(capped.has_value());
  EXPECT_TRUE(capped->capped);
  EXPECT_EQ(page_numbers(*capped), (std::set<std::uint64_t>{0, 3}));
  int asked = 0;
  // Asked before each read (64 pages at most, or a run's end): the second time it says stop.
  auto stopped =
      scan_pages(mem, r, Runs{{0, 10}, {10, 20}, {20, kPages}}, 0, [&] { return ++asked > 1; });
  ASSERT_TRUE(stopped.has_value());
  EXPECT_TRUE(stopped->stopped);
  EXPECT_EQ(stopped->scanned, 10u);
  EXPECT_EQ(page_numbers(*stopped), (std::set<std::uint64_t>{0, 3, 9}));
}

TEST(ArenaGlobals, PlacementFollowsTheAddressesTheProgramsHold) {
  ArenaRange r{kUserStart, kUserStart + 16 * kPage, kKernStart, kPage};
  const std::uint64_t size = kPage + 100;  // two pages when rounded
  // libbpf 1.6+: at the start.
  auto start = place_globals(r, size, {kUserStart + 8, kUserStart + kPage + 50, 42});
  ASSERT_TRUE(std::holds_alternative<GlobalsAt>(start));
  EXPECT_EQ(std::get<GlobalsAt>(start).offset, 0u);
  // libbpf 1.4/1.5: at the end, whole pages before it.
  auto end = place_globals(r, size, {kUserStart + 14 * kPage + 8});
  ASSERT_TRUE(std::holds_alternative<GlobalsAt>(end));
  EXPECT_EQ(std::get<GlobalsAt>(end).offset, 14 * kPage);
  // No address in the arena at all.
  EXPECT_TRUE(std::holds_alternative<GlobalsUnreferenced>(
      place_globals(r, size, {1, kUserStart - 1, kUserStart + 16 * kPage})));
  // Addresses at both ends: neither placement holds them all.
  EXPECT_TRUE(std::holds_alternative<GlobalsAmbiguous>(
      place_globals(r, size, {kUserStart, kUserStart + 15 * kPage})));
  // A span so small that both placements hold the address: not guessed.
  ArenaRange small{kUserStart, kUserStart + 3 * kPage, kKernStart, kPage};
  EXPECT_TRUE(std::holds_alternative<GlobalsAmbiguous>(
      place_globals(small, size, {kUserStart + kPage + 10})));
}

TEST(ArenaGlobals, SectionBytesComeFromCapturedPagesAndZerosElsewhere) {
  ArenaRange r{kUserStart, kUserStart + 16 * kPage, kKernStart, kPage};
  ArenaPage p1{kUserStart + kPage, std::vector<std::uint8_t>(kPage, 7)};
  std::vector<ArenaPage> pages{p1};
  // 100 bytes straddling the end of page 0 (not captured: zeros) into page 1.
  auto b = section_bytes(r, pages, kPage - 40, 100);
  ASSERT_EQ(b.size(), 100u);
  EXPECT_EQ(std::count(b.begin(), b.begin() + 40, 0), 40);
  EXPECT_EQ(std::count(b.begin() + 40, b.end(), 7), 60);
}

TEST(KernelMemoryRead, AShortCopyIsAnErrorNotAnOverread) {
  struct Short : KernelMemory {
    std::uint8_t four[4] = {1, 2, 3, 4};
    std::uint64_t map_address() const override { return 0; }
    Result<bool> read(std::span<Chunk> chunks) override {
      for (Chunk& c : chunks) {
        c.rc = 0;
        c.bytes = four;
      }
      return true;
    }
  } mem;
  auto v = mem.read_u64(0x1000);
  ASSERT_FALSE(v.has_value());
  EXPECT_THAT(v.error().message(), ::testing::HasSubstr("4 of 8 bytes"));
}

}  // namespace
