// Following pointers into captured arena pages, without a kernel: where an
// address lands, hostile reports (overflowing spans, unordered pages), and the
// renderer's two executors agreeing on a followed pointer.
#include "btf/arena_pointers.hpp"

#include "report/report_writer.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <bpf/btf.h>

#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <memory>

using namespace scxsnap;

namespace {

constexpr std::uint64_t kStart = 1ull << 45;

ArenaPage page_at(std::uint64_t addr, std::uint8_t fill) {
  ArenaPage p;
  p.user_addr = addr;
  p.bytes.assign(4096, fill);
  return p;
}

ArenaSnapshot arena_with(std::vector<ArenaPage> pages, std::uint64_t start = kStart,
                         std::uint64_t declared = 4) {
  ArenaSnapshot a;
  a.user_vm_start = start;
  a.declared_pages = declared;
  a.pages = std::move(pages);
  return a;
}

TEST(ArenaPointers, WhereAnAddressLands) {
  ArenaSnapshot a = arena_with({page_at(kStart, 1), page_at(kStart + 2 * 4096, 2)});
  auto follow = arena_pointers::follower({&a});
  ASSERT_TRUE(follow);
  auto t = follow(kStart + 8, 8);
  EXPECT_TRUE(t.arena);
  EXPECT_EQ(t.offset, 8u);
  ASSERT_EQ(t.bytes.size(), 8u);
  EXPECT_EQ(t.bytes[0], 1);
  EXPECT_EQ(follow(kStart + 2 * 4096 + 100, 16).bytes[0], 2);
  // A page not captured, a target crossing a page's end, outside the arena.
  auto absent = follow(kStart + 4096, 8);
  EXPECT_TRUE(absent.arena);
  EXPECT_TRUE(absent.bytes.empty());
  EXPECT_TRUE(follow(kStart + 4090, 16).bytes.empty());
  EXPECT_FALSE(follow(kStart + 4 * 4096, 8).arena);
  EXPECT_FALSE(follow(kStart - 1, 8).arena);
  // Only asking where it points.
  EXPECT_TRUE(follow(kStart + 3 * 4096, 0).arena);
}

TEST(ArenaPointers, HostileReportsStayInBounds) {
  // A span that would overflow, a page at the top of the address space.
  const std::uint64_t top = UINT64_MAX - 4095;
  ArenaSnapshot a = arena_with({page_at(top, 9)}, top, UINT64_MAX);
  auto follow = arena_pointers::follower({&a});
  auto t = follow(UINT64_MAX - 3, 8);  // 4 bytes left in the page
  EXPECT_TRUE(t.arena);
  EXPECT_TRUE(t.bytes.empty());
  EXPECT_EQ(follow(UINT64_MAX - 7, 8).bytes.size(), 8u);
  // Pages out of order: labelled, never followed.
  ArenaSnapshot b = arena_with({page_at(kStart + 4096, 1), page_at(kStart, 2)});
  auto f2 = arena_pointers::follower({&b});
  EXPECT_TRUE(f2(kStart + 8, 8).arena);
  EXPECT_TRUE(f2(kStart + 8, 8).bytes.empty());
  // No user address: not an arena anyone mapped; nothing to follow.
  ArenaSnapshot c = arena_with({}, 0);
  EXPECT_FALSE(arena_pointers::follower({&c}));
  // Zero-byte pages.
  ArenaSnapshot d = arena_with({ArenaPage{kStart, {}}});
  auto f4 = arena_pointers::follower({&d});
  ASSERT_TRUE(f4);
  EXPECT_TRUE(f4(kStart, 8).bytes.empty());
}

// struct node { u64 v; struct node *next; } rendered with `next` pointing
// into a captured page: the tree and the JSON executor agree.
TEST(ArenaPointers, TreeAndJsonRenderTheSameFollowedPointer) {
  std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new_empty(), btf__free);
  const int u64 = btf__add_int(b.get(), "u64", 8, 0);
  const int ptr = btf__add_ptr(b.get(), u64 + 2);  // to `node`, added next
  const int node = btf__add_struct(b.get(), "node", 16);
  ASSERT_EQ(node, u64 + 2);
  ASSERT_EQ(btf__add_field(b.get(), "v", u64, 0, 0), 0);
  ASSERT_EQ(btf__add_field(b.get(), "next", ptr, 64, 0), 0);
  ArenaPage p = page_at(kStart, 0);
  const std::uint64_t v = 77, next_next = kStart + 4096 * 3;
  std::memcpy(p.bytes.data() + 32, &v, 8);
  std::memcpy(p.bytes.data() + 40, &next_next, 8);
  ArenaSnapshot a = arena_with({p});
  RenderLimits lim;
  lim.follow_pointer = arena_pointers::follower({&a});
  std::uint8_t head[16];
  const std::uint64_t one = 1, target = kStart + 32;
  std::memcpy(head, &one, 8);
  std::memcpy(head + 8, &target, 8);
  BtfRenderer r(b.get());
  auto tree = r.render(static_cast<std::uint32_t>(node), head, lim);
  ASSERT_TRUE(tree.has_value());
  std::string js;
  ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(node), head, js, lim).has_value());
  EXPECT_EQ(js, to_json(*tree));
  const RenderedValue& next = tree->members().at(1).value;
  ASSERT_NE(next.deref(), nullptr);
  EXPECT_EQ(next.deref()->members().at(0).value.uint_value(), 77u);
  EXPECT_EQ(*next.cast_annotation(), "cast→arena");
  const RenderedValue& inner = next.deref()->members().at(1).value;
  EXPECT_EQ(*inner.deref_skipped_reason(),
            "arena offset 0x3000: pointers inside a followed pointer's target are not followed");
  // Without a follower: the old label, no annotation.
  auto plain = r.render(static_cast<std::uint32_t>(node), head, RenderLimits{});
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->members().at(1).value.cast_annotation(), nullptr);
}

// A capture writes an arena's pages one at a time (flushing between them):
// the same bytes as the whole map written at once.
TEST(ArenaPointers, PagedMapWriteIsTheWholeMapWrite) {
  FailureDumpMap m;
  m.name = "arena";
  m.map_id = 9;
  m.map_type = 33;
  m.max_entries = 4;
  m.value = RenderedValue::make_uint(64, 5);
  m.arena = arena_with({page_at(kStart, 1), page_at(kStart + 8192, 2)});
  m.arena->kern_vm_start = 77;
  m.arena->truncated = true;
  m.error = "entry cap reached";
  for (bool with_pages : {true, false}) {
    if (!with_pages) m.arena->pages.clear();
    std::string whole, paged;
    detail::JsonWriter a(whole, false);
    detail::write_map_to(a, m);
    detail::JsonWriter b(paged, false);
    int calls = 0;
    detail::write_map_paged(b, m, [&](detail::JsonWriter&) { ++calls; });
    EXPECT_EQ(paged, whole);
    EXPECT_EQ(calls, with_pages ? 2 : 0);
  }
}

}  // namespace
