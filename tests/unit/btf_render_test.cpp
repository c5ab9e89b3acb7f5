// BTF rendering on BTF built in the test with libbpf's btf__add_* API.
#include "btf/raw_bytes.hpp"
#include "btf_ptr.hpp"
#include "scxsnap/scxsnap.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <memory>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

BtfPtr new_btf() {
  return BtfPtr(btf__new_empty());
}

template <class T>
std::vector<std::uint8_t> bytes_of(const T& v) {
  std::vector<std::uint8_t> b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

// Renders as a tree and as direct JSON, and checks that both agree.
RenderedValue render(struct btf* b, int id, std::span<const std::uint8_t> bytes) {
  BtfRenderer r(b);
  auto v = r.render(static_cast<std::uint32_t>(id), bytes);
  EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().message());
  std::string json;
  auto j = r.render_json(static_cast<std::uint32_t>(id), bytes, json);
  EXPECT_TRUE(j.has_value());
  if (v) {
    EXPECT_EQ(json, to_json(*v));
  }
  return v.value_or(RenderedValue());
}

TEST(BtfRender, IntegersByEncoding) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int s16 = btf__add_int(b.get(), "short", 2, BTF_INT_SIGNED);
  int bo = btf__add_int(b.get(), "_Bool", 1, BTF_INT_BOOL);
  int ch = btf__add_int(b.get(), "char", 1, BTF_INT_CHAR);
  int u64 = btf__add_int(b.get(), "unsigned long", 8, 0);
  int i128 = btf__add_int(b.get(), "__int128", 16, BTF_INT_SIGNED);
  EXPECT_EQ(render(b.get(), u32, bytes_of(std::uint32_t{0xdeadbeef})),
            RenderedValue::make_uint(32, 0xdeadbeef));
  EXPECT_EQ(render(b.get(), s16, bytes_of(std::int16_t{-2})), RenderedValue::make_int(16, -2));
  EXPECT_EQ(render(b.get(), bo, bytes_of(std::uint8_t{1})), RenderedValue::make_bool(true));
  EXPECT_EQ(render(b.get(), ch, bytes_of(std::uint8_t{'x'})), RenderedValue::make_char('x'));
  EXPECT_EQ(render(b.get(), u64, bytes_of(UINT64_MAX)), RenderedValue::make_uint(64, UINT64_MAX));
  std::vector<std::uint8_t> wide(16, 0xab);
  EXPECT_EQ(render(b.get(), i128, wide).kind(), ValueKind::Bytes);
}

TEST(BtfRender, BitfieldsCrossBytesAndSignExtend) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int s32 = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int st = btf__add_struct(b.get(), "bits", 8);
  btf__add_field(b.get(), "a", u32, 0, 3);   // bits 0..2
  btf__add_field(b.get(), "b", u32, 3, 10);  // bits 3..12: crosses a byte
  btf__add_field(b.get(), "c", s32, 13, 5);  // signed, bits 13..17
  btf__add_field(b.get(), "d", u32, 32, 32);
  std::uint64_t raw = 0;
  raw |= 5u;                         // a = 5
  raw |= std::uint64_t{700} << 3;    // b = 700
  raw |= std::uint64_t{0x1e} << 13;  // c = -2 in 5 bits
  raw |= std::uint64_t{42} << 32;
  RenderedValue v = render(b.get(), st, bytes_of(raw));
  ASSERT_EQ(v.kind(), ValueKind::Struct);
  EXPECT_EQ(*v.get("a"), RenderedValue::make_uint(3, 5));
  EXPECT_EQ(*v.get("b"), RenderedValue::make_uint(10, 700));
  EXPECT_EQ(*v.get("c"), RenderedValue::make_int(5, -2));
  EXPECT_EQ(*v.get("d"), RenderedValue::make_uint(32, 42));
}

TEST(BtfRender, EnumsWithSignednessAndUnknownValues) {
  auto b = new_btf();
  int e = btf__add_enum(b.get(), "mode", 4);
  btf__add_enum_value(b.get(), "MODE_A", 0);
  btf__add_enum_value(b.get(), "MODE_B", 7);
  int e64 = btf__add_enum64(b.get(), "big", 8, false);
  btf__add_enum64_value(b.get(), "TOP", 0x8000000000000001ull);
  int se = btf__add_enum64(b.get(), "sgn", 8, true);
  btf__add_enum64_value(b.get(), "NEG", static_cast<std::uint64_t>(-3));
  EXPECT_EQ(render(b.get(), e, bytes_of(std::uint32_t{7})),
            RenderedValue::make_enum(32, 7, "MODE_B", false));
  EXPECT_EQ(render(b.get(), e, bytes_of(std::uint32_t{9})),
            RenderedValue::make_enum(32, 9, std::nullopt, false));
  RenderedValue top = render(b.get(), e64, bytes_of(0x8000000000000001ull));
  EXPECT_EQ(top, RenderedValue::make_enum(64, static_cast<std::int64_t>(0x8000000000000001ull),
                                          "TOP", false));
  EXPECT_EQ(SnapshotField::of(top).as_u64().value(), 0x8000000000000001ull);
  EXPECT_EQ(render(b.get(), se, bytes_of(std::int64_t{-3})),
            RenderedValue::make_enum(64, -3, "NEG", true));
}

TEST(BtfRender, StructsUnionsAnonymousMembersAndArrays) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
  int un = btf__add_union(b.get(), nullptr, 4);
  btf__add_field(b.get(), "word", u32, 0, 0);
  btf__add_field(b.get(), "byte", u8, 0, 0);
  int arr = btf__add_array(b.get(), u32, u32, 3);
  int empty = btf__add_array(b.get(), u32, u32, 0);
  int st = btf__add_struct(b.get(), "outer", 16);
  btf__add_field(b.get(), "", un, 0, 0);
  btf__add_field(b.get(), "v", arr, 32, 0);
  btf__add_field(b.get(), "flex", empty, 128, 0);
  std::uint32_t raw[4] = {0x11223344, 1, 2, 3};
  RenderedValue v =
      render(b.get(), st, std::span<const std::uint8_t>(reinterpret_cast<std::uint8_t*>(raw), 16));
  ASSERT_EQ(v.members().size(), 3u);
  EXPECT_EQ(v.members()[0].name.view(), "");
  const RenderedValue& u = v.members()[0].value;
  EXPECT_FALSE(u.type_name().has_value());
  EXPECT_EQ(*u.get("word"), RenderedValue::make_uint(32, 0x11223344));
  EXPECT_EQ(*u.get("byte"), RenderedValue::make_uint(8, 0x44));
  EXPECT_EQ(SnapshotField::of(*v.get("v")).as_u64_array().value(),
            (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(v.get("flex")->array_len(), 0u);
  EXPECT_TRUE(v.get("flex")->elements().empty());
}

TEST(BtfRender, LongArraysAreCappedAt4096Elements) {
  auto b = new_btf();
  int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
  int arr = btf__add_array(b.get(), u8, u8, 5000);
  std::vector<std::uint8_t> bytes(5000, 9);
  RenderedValue v = render(b.get(), arr, bytes);
  EXPECT_EQ(v.array_len(), 5000u);
  EXPECT_EQ(v.elements().size(), 4096u);
}

TEST(BtfRender, FloatsPointersAndQualifiers) {
  auto b = new_btf();
  int f = btf__add_float(b.get(), "double", 8);
  int f4 = btf__add_float(b.get(), "float", 4);
  int f16 = btf__add_float(b.get(), "long double", 16);
  int c = btf__add_const(b.get(), f);
  int v = btf__add_volatile(b.get(), c);
  int td = btf__add_typedef(b.get(), "real_t", v);
  int tag = btf__add_type_tag(b.get(), "user", td);
  int ptr = btf__add_ptr(b.get(), f);
  EXPECT_EQ(render(b.get(), tag, bytes_of(2.5)), RenderedValue::make_float(64, 2.5));
  EXPECT_EQ(render(b.get(), f4, bytes_of(1.5f)), RenderedValue::make_float(32, 1.5));
  std::vector<std::uint8_t> sixteen(16, 0);
  EXPECT_EQ(render(b.get(), f16, sixteen).kind(), ValueKind::Bytes);
  RenderedValue p = render(b.get(), ptr, bytes_of(0xffff888000001000ull));
  EXPECT_EQ(p.uint_value(), 0xffff888000001000ull);
  ASSERT_NE(p.deref_skipped_reason(), nullptr);
  EXPECT_EQ(render(b.get(), ptr, bytes_of(std::uint64_t{0})), RenderedValue::make_ptr(0));
}

TEST(BtfRender, DatasecRendersAsAStructOfVariables) {
  auto b = new_btf();
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int s32 = btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  int v1 = btf__add_var(b.get(), "nr_dispatched", BTF_VAR_GLOBAL_ALLOCATED, u64);
  int v2 = btf__add_var(b.get(), "mode", BTF_VAR_GLOBAL_ALLOCATED, s32);
  int ds = btf__add_datasec(b.get(), ".bss", 16);
  btf__add_datasec_var_info(b.get(), v1, 0, 8);
  btf__add_datasec_var_info(b.get(), v2, 8, 4);
  std::uint8_t raw[16] = {};
  std::uint64_t n = 907;
  std::int32_t m = -1;
  std::memcpy(raw, &n, 8);
  std::memcpy(raw + 8, &m, 4);
  RenderedValue v = render(b.get(), ds, raw);
  EXPECT_EQ(v.type_name(), ".bss");
  EXPECT_EQ(*v.get("nr_dispatched"), RenderedValue::make_uint(64, 907));
  EXPECT_EQ(*v.get("mode"), RenderedValue::make_int(32, -1));
}

TEST(BtfRender, CpumaskTypesBecomeCpuLists) {
  auto b = new_btf();
  int ul = btf__add_int(b.get(), "unsigned long", 8, 0);
  int arr = btf__add_array(b.get(), ul, ul, 2);
  int cm = btf__add_struct(b.get(), "cpumask", 16);
  btf__add_field(b.get(), "bits", arr, 0, 0);
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int bcm = btf__add_struct(b.get(), "bpf_cpumask", 24);
  btf__add_field(b.get(), "cpumask", cm, 0, 0);
  btf__add_field(b.get(), "usage", u32, 128, 0);
  std::uint64_t bits[3] = {0b100111, 1ull << 1, 0xffffffff};  // cpus 0-2,5 and 65
  auto span = std::span<const std::uint8_t>(reinterpret_cast<std::uint8_t*>(bits), 24);
  EXPECT_EQ(render(b.get(), cm, span.subspan(0, 16)), RenderedValue::make_cpu_list("0-2,5,65"));
  EXPECT_EQ(render(b.get(), bcm, span), RenderedValue::make_cpu_list("0-2,5,65"));
}

// The render budget measures what a value renders to, not the bound of its
// type: 128 bpf_cpumasks of 8192 CPUs are bounded at 16 MiB of JSON but render
// to a few KB, so they are not cut (a false "cut" note on scx_lavd's
// .data.LAVD), and under a budget that cuts, as many whole masks as really fit
// are kept (8 of 128 were).
TEST(BtfRender, CpuListsAreCutByWhatTheyRenderToNotTheirBitmap) {
  auto b = new_btf();
  int ul = btf__add_int(b.get(), "unsigned long", 8, 0);
  int bits = btf__add_array(b.get(), ul, ul, 128);  // NR_CPUS 8192
  int cm = btf__add_struct(b.get(), "cpumask", 1024);
  btf__add_field(b.get(), "bits", bits, 0, 0);
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int bcm = btf__add_struct(b.get(), "bpf_cpumask", 1032);
  btf__add_field(b.get(), "cpumask", cm, 0, 0);
  btf__add_field(b.get(), "usage", u32, 8192, 0);
  int masks = btf__add_array(b.get(), u32, bcm, 128);
  int data = btf__add_struct(b.get(), "lavd_data", 4 + 128 * 1032);
  btf__add_field(b.get(), "nr", u32, 0, 0);
  btf__add_field(b.get(), "masks", masks, 32, 0);
  std::vector<std::uint8_t> v(4 + 128 * 1032, 0);
  v[0] = 7;
  for (std::size_t k = 0; k < 128; ++k) {
    std::uint8_t* m = v.data() + 4 + k * 1032;
    m[0] = static_cast<std::uint8_t>(1u << (k % 8));  // cpu k%8
    m[12] = 0x10;                                     // cpu 100
  }
  BtfRenderer r(b.get());
  auto full = r.render(static_cast<std::uint32_t>(data), v);
  ASSERT_TRUE(full.has_value());
  const std::string whole = to_json(*full);
  ASSERT_LT(whole.size(), 16000u);  // the bound of the type is over 16 MiB
  for (std::uint64_t budget : {std::uint64_t{64} << 10, std::uint64_t{whole.size() + 64}}) {
    RenderLimits lim;
    lim.max_value_bytes = budget;
    RenderStatus st;
    auto t = r.render(static_cast<std::uint32_t>(data), v, lim, &st);
    ASSERT_TRUE(t.has_value());
    EXPECT_FALSE(st.over_budget) << budget;
    EXPECT_EQ(to_json(*t), whole) << budget;
    std::string json;
    ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(data), v, json, lim).has_value());
    EXPECT_EQ(json, whole);
  }
  // A budget of a third of the rendering: about a third of the masks, whole,
  // and the tree and the direct JSON agree.
  RenderLimits lim;
  lim.max_value_bytes = whole.size() / 3;
  RenderStatus st;
  auto t = r.render(static_cast<std::uint32_t>(data), v, lim, &st);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(st.over_budget);
  ASSERT_EQ(t->kind(), ValueKind::Truncated);
  const RenderedValue& arr = t->partial()->members()[1].value;
  EXPECT_GT(arr.elements().size(), 30u);
  EXPECT_LT(arr.elements().size(), 50u);
  EXPECT_EQ(arr.elements()[5], RenderedValue::make_cpu_list("5,100"));
  EXPECT_LE(to_json(*t).size(), whole.size() / 3 + 200);
  std::string json;
  RenderStatus js;
  ASSERT_TRUE(r.render_json(static_cast<std::uint32_t>(data), v, json, lim, &js).has_value());
  EXPECT_EQ(json, to_json(*t));
  EXPECT_EQ(js.had, st.had);
}

// scx's `struct scx_bitmap { union sdt_id tid; u64 bits[...]; }`: the CPUs
// come from `bits` only, never from the id before it.
TEST(BtfRender, ScxBitmapCpusComeFromItsBitsOnly) {
  auto b = new_btf();
  int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
  int id = btf__add_union(b.get(), "sdt_id", 8);
  btf__add_field(b.get(), "val", u64, 0, 0);
  int arr = btf__add_array(b.get(), u64, u64, 2);
  int bm = btf__add_struct(b.get(), "scx_bitmap", 24);
  btf__add_field(b.get(), "tid", id, 0, 0);
  btf__add_field(b.get(), "bits", arr, 64, 0);
  std::uint64_t words[3] = {~0ull, 0b1010, 1};  // the id is all ones: no CPU of it may show
  auto span = std::span<const std::uint8_t>(reinterpret_cast<std::uint8_t*>(words), 24);
  EXPECT_EQ(render(b.get(), bm, span), RenderedValue::make_cpu_list("1,3,64"));
}

TEST(BtfRender, ShortBytesAreTruncatedWithWhatDecoded) {
  auto b = new_btf();
  int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
  int st = btf__add_struct(b.get(), "pair", 12);
  btf__add_field(b.get(), "a", u32, 0, 0);
  btf__add_field(b.get(), "b", u32, 32, 0);
  btf__add_field(b.get(), "c", u32, 64, 0);
  std::uint32_t raw[3] = {7, 8, 9};
  RenderedValue v =
      render(b.get(), st, std::span<const std::uint8_t>(reinterpret_cast<std::uint8_t*>(raw), 6));
  ASSERT_EQ(v.kind(), ValueKind::Truncated);
  EXPECT_EQ(v.needed(), 12u);
  EXPECT_EQ(v.had(), 6u);
  const RenderedValue* part = v.partial();
  ASSERT_EQ(part->members().size(), 2u);
  EXPECT_EQ(part->members()[0].value, RenderedValue::make_uint(32, 7));
  EXPECT_EQ(part->members()[1].value.kind(), ValueKind::Truncated);
  EXPECT_EQ(part->members()[1].value.partial()->text(), "08 00");
  EXPECT_EQ(render(b.get(), st, {}).kind(), ValueKind::Truncated);
}

TEST(BtfRender, ForwardDeclarationsAreUnsupported) {
  auto b = new_btf();
  int fwd = btf__add_fwd(b.get(), "opaque", BTF_FWD_STRUCT);
  std::uint8_t x = 0;
  RenderedValue v = render(b.get(), fwd, {&x, 1});
  EXPECT_EQ(v.kind(), ValueKind::Unsupported);
  EXPECT_THAT(v.text(), HasSubstr("opaque"));
}

TEST(BtfRender, MalformedBtfIsAnErrorNotAHang) {
  auto b = new_btf();
  btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED);
  BtfRenderer r(b.get());
  auto out = r.render(999, {});
  ASSERT_FALSE(out.has_value());
  EXPECT_THAT(out.error().message(), HasSubstr("type id 999 out of range"));

  // A typedef loop, written as raw BTF (the builder API refuses forward ids).
  struct {
    struct btf_header h;
    struct btf_type t[2];
    char strs[4];
  } raw{};
  raw.h.magic = BTF_MAGIC;
  raw.h.version = BTF_VERSION;
  raw.h.hdr_len = sizeof(raw.h);
  raw.h.type_off = 0;
  raw.h.type_len = sizeof(raw.t);
  raw.h.str_off = sizeof(raw.t);
  raw.h.str_len = sizeof(raw.strs);
  raw.strs[1] = 'a';
  raw.t[0].name_off = 1;
  raw.t[0].info = (static_cast<std::uint32_t>(BTF_KIND_TYPEDEF) << 24);
  raw.t[0].type = 2;
  raw.t[1].name_off = 1;
  raw.t[1].info = (static_cast<std::uint32_t>(BTF_KIND_TYPEDEF) << 24);
  raw.t[1].type = 1;
  struct btf* loop = btf__new(&raw, sizeof(raw));
  if (!loop) GTEST_SKIP() << "libbpf rejects the looping BTF itself (also fine)";
  BtfRenderer lr(loop);
  auto res = lr.render(1, {});
  EXPECT_FALSE(res.has_value());
  if (!res) {
    EXPECT_THAT(res.error().message(), HasSubstr("loop"));
  }
  btf__free(loop);
}

TEST(BtfHelpers, SplitPercpuAndHex) {
  std::vector<std::uint8_t> buf(24);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::uint8_t>(i);
  auto slots = split_percpu(buf, 4, 3);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[1].size(), 4u);
  EXPECT_EQ(slots[1][0], 8);  // stride roundup(4, 8) = 8
  EXPECT_EQ(split_percpu(buf, 4, 5).size(), 3u);
  EXPECT_EQ(hex_bytes(slots[0]), "00 01 02 03");
  EXPECT_EQ(hex_bytes({}), "");
}

}  // namespace
