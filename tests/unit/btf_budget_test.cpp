// The render budget, the stop signal and the flush hook of BtfRenderer, on
// BTF built in the test: what a cut value keeps, that nested arrays cannot
// multiply past the budget, that the tree and the direct JSON agree, and a
// DATASEC variable past 512 MiB.
#include "btf_ptr.hpp"
#include "scxsnap/scxsnap.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <memory>
#include <sys/mman.h>

using namespace scxsnap;

namespace {

struct Rendered {
  RenderedValue tree;
  std::string json;
  RenderStatus status;
};

// Renders both ways under `limits`; the two must agree.
Rendered render(struct btf* b, int id, std::span<const std::uint8_t> bytes,
                const RenderLimits& limits) {
  Rendered out;
  BtfRenderer r(b);
  auto v = r.render(static_cast<std::uint32_t>(id), bytes, limits, &out.status);
  EXPECT_TRUE(v.has_value());
  RenderStatus js;
  EXPECT_TRUE(r.render_json(static_cast<std::uint32_t>(id), bytes, out.json, limits, &js));
  if (v) {
    out.tree = std::move(*v);
    EXPECT_EQ(out.json, to_json(out.tree));
  }
  EXPECT_EQ(js.over_budget, out.status.over_budget);
  EXPECT_EQ(js.had, out.status.had);
  return out;
}

TEST(RenderBudget, SmallMembersAroundAHugeArrayStayWhole) {
  BtfPtr b(btf__new_empty());
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int big = btf__add_array(b.get(), u64, u64, 100000);
  int st = btf__add_struct(b.get(), "sec", 8 + 800000 + 8);
  btf__add_field(b.get(), "a", u64, 0, 0);
  btf__add_field(b.get(), "big", big, 64, 0);
  btf__add_field(b.get(), "b", u64, (8 + 800000) * 8, 0);
  std::vector<std::uint64_t> words(100002);
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = i;
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(words.data()),
                                      words.size() * 8);
  RenderLimits lim;
  lim.max_value_bytes = 16384;
  Rendered r = render(b.get(), st, bytes, lim);
  EXPECT_TRUE(r.status.over_budget);
  EXPECT_FALSE(r.status.stopped);
  ASSERT_EQ(r.tree.kind(), ValueKind::Truncated);
  EXPECT_EQ(r.tree.needed(), 800016u);
  const RenderedValue& s = *r.tree.partial();
  EXPECT_EQ(s.get("a")->as_u64(), 0u);
  EXPECT_EQ(s.get("b")->as_u64(), 100001u);
  const RenderedValue* arr = s.get("big");
  EXPECT_EQ(arr->array_len(), 100000u);
  std::size_t shown = arr->elements().size();
  EXPECT_GT(shown, 100u);
  EXPECT_LT(shown, 4096u);
  for (std::size_t i = 0; i < shown; ++i) EXPECT_EQ(arr->elements()[i].as_u64(), i + 1);
  EXPECT_EQ(r.tree.had(), 16 + shown * 8);
  EXPECT_LE(r.json.size(), lim.max_value_bytes + 256);
  // Under a budget that covers it, the same value is not cut.
  lim.max_value_bytes = 1 << 20;
  EXPECT_EQ(render(b.get(), st, bytes, lim).tree.kind(), ValueKind::Struct);
}

TEST(RenderBudget, NestedArraysDoNotMultiply) {
  BtfPtr b(btf__new_empty());
  int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
  int row = btf__add_array(b.get(), u8, u8, 4096);
  int grid = btf__add_array(b.get(), u8, row, 4096);  // (index type, element type, n)
  std::vector<std::uint8_t> bytes(4096 * 4096, 9);
  RenderLimits lim;
  lim.max_value_bytes = 65536;
  Rendered r = render(b.get(), grid, bytes, lim);
  EXPECT_LE(r.json.size(), lim.max_value_bytes + 256);
  ASSERT_EQ(r.tree.kind(), ValueKind::Truncated);
  const RenderedValue& outer = *r.tree.partial();
  EXPECT_EQ(outer.array_len(), 4096u);
  ASSERT_GE(outer.elements().size(), 1u);
  EXPECT_EQ(outer.elements()[0].elements()[0].as_u64(), 9u);

  // Zero-sized elements nest without bytes: only the budget bounds them.
  int empty = btf__add_struct(b.get(), "empty", 0);
  int a1 = btf__add_array(b.get(), u8, empty, 4096);
  int a2 = btf__add_array(b.get(), u8, a1, 4096);
  int a3 = btf__add_array(b.get(), u8, a2, 4096);
  Rendered z = render(b.get(), a3, {}, lim);
  EXPECT_LE(z.json.size(), lim.max_value_bytes + 256);
  EXPECT_TRUE(z.status.over_budget);
  // Without a budget the guard (64 MiB for an empty value) still ends it.
  Rendered g = render(b.get(), a3, {}, RenderLimits{});
  EXPECT_LE(g.json.size(), (std::size_t{64} << 20) + 256);
  EXPECT_TRUE(g.status.over_budget);
}

TEST(RenderBudget, StopEndsArraysEarlyAndTheJsonStaysWhole) {
  BtfPtr b(btf__new_empty());
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int arr = btf__add_array(b.get(), u32, u32, 4000);
  int st = btf__add_struct(b.get(), "s", 4000 * 4 + 4);
  btf__add_field(b.get(), "xs", arr, 0, 0);
  btf__add_field(b.get(), "after", u32, 4000 * 32, 0);
  std::vector<std::uint8_t> bytes(4000 * 4 + 4, 1);
  int calls = 0;
  RenderLimits lim;
  lim.should_stop = [&] { return ++calls > 3; };
  BtfRenderer r(b.get());
  RenderStatus st_tree, st_json;
  auto v = r.render(static_cast<std::uint32_t>(st), bytes, lim, &st_tree);
  ASSERT_TRUE(v.has_value());
  calls = 0;
  std::string json;
  ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(st), bytes, json, lim, &st_json));
  EXPECT_TRUE(st_tree.stopped);
  EXPECT_TRUE(st_json.stopped);
  EXPECT_EQ(json, to_json(*v));
  EXPECT_LT(v->get("xs")->elements().size(), 4000u);
  EXPECT_GE(v->get("xs")->elements().size(), 4 * 64 - 1u);
}

TEST(RenderBudget, FlushHandsOverTheBufferAndLosesNothing) {
  BtfPtr b(btf__new_empty());
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int arr = btf__add_array(b.get(), u64, u64, 4096);
  std::vector<std::uint8_t> bytes(4096 * 8, 3);
  BtfRenderer r(b.get());
  std::string whole;
  ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(arr), bytes, whole));
  std::string flushed, buf;
  int flushes = 0;
  RenderLimits lim;
  lim.flush_at = 4096;
  lim.flush = [&](std::string& out) {
    flushed += out;
    out.clear();
    ++flushes;
  };
  ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(arr), bytes, buf, lim));
  flushed += buf;
  EXPECT_EQ(flushed, whole);
  EXPECT_GT(flushes, 10);
}

TEST(RenderBudget, DatasecVariablePast512MiB) {
  BtfPtr b(btf__new_empty());
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  const std::uint32_t far = 600u << 20;
  int lo = btf__add_var(b.get(), "lo", BTF_VAR_GLOBAL_ALLOCATED, u64);
  int hi = btf__add_var(b.get(), "hi", BTF_VAR_GLOBAL_ALLOCATED, u64);
  int sec = btf__add_datasec(b.get(), ".bss", far + 8);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), lo, 0, 8), 0);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), hi, far, 8), 0);
  // Untouched pages of an anonymous mapping read as zeros and cost nothing.
  void* p = ::mmap(nullptr, far + 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto* bytes = static_cast<std::uint8_t*>(p);
  std::uint64_t v_lo = 11, v_hi = 0xfeedface;
  std::memcpy(bytes, &v_lo, 8);
  std::memcpy(bytes + far, &v_hi, 8);
  Rendered r = render(b.get(), sec, {bytes, far + 8}, RenderLimits{});
  ::munmap(p, far + 8);
  ASSERT_EQ(r.tree.kind(), ValueKind::Struct);
  EXPECT_EQ(r.tree.get("lo")->as_u64(), 11u);
  EXPECT_EQ(r.tree.get("hi")->as_u64(), 0xfeedfaceu);
}

}  // namespace
