// Snapshot spec §5.7 (arrays, iter_members, PercpuKey), §5.12 (pickers) and
// §5.13 (coercion rules of SnapshotField).
#include "expect_error.hpp"
#include "snapshot_fixtures.hpp"
#include "snapshot_matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

TEST(SnapshotFieldArrays, U32ArrayAndOverflow) {
  RenderedValue a = array_v({uint_v(1), uint_v(2), uint_v(3)});
  EXPECT_THAT(SnapshotField::of(a).as_u32_array().value(), ElementsAre(1u, 2u, 3u));
  RenderedValue big = array_v({uint_v(std::uint64_t{UINT32_MAX} + 1)});
  auto res = SnapshotField::of(big).as_u32_array();
  auto e = err_as<errors::TypeMismatch>(res);
  EXPECT_EQ(e.expected, "[u32]");
  EXPECT_EQ(e.actual, "Array[0]=Uint");
}

TEST(SnapshotFieldArrays, StructIsNotAnArray) {
  RenderedValue s = strukt("s", {{"a", uint_v(1)}});
  auto e = err_as<errors::TypeMismatch>(SnapshotField::of(s).as_u64_array());
  EXPECT_EQ(e.expected, "[u64]");
  EXPECT_EQ(e.actual, "Struct");
  RenderedValue t = RenderedValue::make_truncated(8, 4, strukt("s", {}));
  EXPECT_EQ(err_as<errors::TypeMismatch>(SnapshotField::of(t).as_u64_array()).actual,
            "Truncated(partial=Struct)");
}

TEST(SnapshotFieldArrays, PercpuKeyRejectsArrayReads) {
  SnapshotField k = SnapshotField::percpu_key(3);
  EXPECT_THAT(k.as_u32_array().error().message(), HasSubstr("percpu key"));
  EXPECT_THAT(k.as_u64_array().error().message(), HasSubstr("percpu key"));
  EXPECT_THAT(k.as_i64_array().error().message(), HasSubstr("percpu key"));
  EXPECT_THAT(k.as_f64_array().error().message(), HasSubstr("percpu key"));
  EXPECT_THAT(k.as_bool_array().error().message(), HasSubstr("percpu key"));
}

TEST(SnapshotFieldIter, WalksArraysThroughPointersAndTruncation) {
  RenderedValue arr = array_v({strukt("t", {{"id", uint_v(10)}}), strukt("t", {{"id", uint_v(20)}}),
                               strukt("t", {{"id", uint_v(30)}})});
  std::vector<std::uint64_t> ids;
  for (const auto& f : SnapshotField::of(arr).iter_members())
    ids.push_back(f.get("id").as_u64().value());
  EXPECT_THAT(ids, ElementsAre(10u, 20u, 30u));

  RenderedValue ptr = RenderedValue::make_ptr(0x1000, array_v({uint_v(7), uint_v(11)}));
  std::vector<std::uint64_t> via_ptr;
  for (const auto& f : SnapshotField::of(ptr).iter_members()) via_ptr.push_back(f.as_u64().value());
  EXPECT_THAT(via_ptr, ElementsAre(7u, 11u));

  RenderedValue trunc =
      RenderedValue::make_truncated(32, 24, array_v({uint_v(1), uint_v(2), uint_v(3)}));
  EXPECT_EQ(SnapshotField::of(trunc).iter_members().size(), 3u);

  RenderedValue scalar = uint_v(1);
  RenderedValue st = strukt("s", {});
  RenderedValue empty = array_v({});
  EXPECT_TRUE(SnapshotField::of(scalar).iter_members().empty());
  EXPECT_TRUE(SnapshotField::of(st).iter_members().empty());
  EXPECT_TRUE(SnapshotField::percpu_key(1).iter_members().empty());
  EXPECT_TRUE(SnapshotField::missing(errors::ProjectionFailed{"x"}).iter_members().empty());
  EXPECT_TRUE(SnapshotField::of(empty).iter_members().empty());

  RenderedValue partial = RenderedValue::make_truncated(16, 8, array_v({uint_v(10), uint_v(20)}));
  std::vector<std::uint64_t> p;
  for (const auto& f : SnapshotField::of(partial).iter_members()) p.push_back(f.as_u64().value());
  EXPECT_THAT(p, ElementsAre(10u, 20u));
}

// ---- §5.12 -----------------------------------------------------------------------

std::vector<std::pair<std::string_view, SnapshotField>> cands(
    const std::vector<RenderedValue>& vals) {
  std::vector<std::pair<std::string_view, SnapshotField>> out;
  for (const auto& v : vals) out.emplace_back("m", SnapshotField::of(v));
  return out;
}

TEST(Pickers, MaxByCounterValue) {
  std::vector<RenderedValue> a = {uint_v(10), uint_v(100), uint_v(5)};
  EXPECT_EQ(pickers::max_by_counter_value(cands(a)), 1u);
  std::vector<RenderedValue> b = {uint_v(10), strukt("s", {}), uint_v(100)};
  EXPECT_EQ(pickers::max_by_counter_value(cands(b)), 2u);
  std::vector<RenderedValue> c = {strukt("s", {}), strukt("s", {})};
  EXPECT_EQ(pickers::max_by_counter_value(cands(c)), std::nullopt);
  std::vector<RenderedValue> d = {uint_v(50), uint_v(50), uint_v(50)};
  EXPECT_EQ(pickers::max_by_counter_value(cands(d)), 2u);
  EXPECT_EQ(pickers::max_by_counter_value({}), std::nullopt);
}

std::vector<std::pair<std::string_view, std::vector<SnapshotField>>> rows(
    const std::vector<std::vector<RenderedValue>>& vals) {
  std::vector<std::pair<std::string_view, std::vector<SnapshotField>>> out;
  for (const auto& r : vals) {
    std::vector<SnapshotField> fs;
    for (const auto& v : r) fs.push_back(SnapshotField::of(v));
    out.emplace_back("m", std::move(fs));
  }
  return out;
}

TEST(Pickers, MaxBySumU64) {
  std::vector<std::vector<RenderedValue>> a = {
      {uint_v(10), uint_v(20)}, {uint_v(10)}, {uint_v(70)}};
  EXPECT_EQ(pickers::max_by_sum_u64(rows(a)), 2u);
  std::vector<std::vector<RenderedValue>> tie = {{uint_v(5)}, {uint_v(5)}};
  EXPECT_EQ(pickers::max_by_sum_u64(rows(tie)), 1u);
  std::vector<std::vector<RenderedValue>> tainted = {{uint_v(1000), strukt("s", {})}, {uint_v(1)}};
  EXPECT_EQ(pickers::max_by_sum_u64(rows(tainted)), 1u);
  std::vector<std::vector<RenderedValue>> all = {{strukt("s", {})}};
  EXPECT_EQ(pickers::max_by_sum_u64(rows(all)), std::nullopt);
  EXPECT_EQ(pickers::max_by_sum_u64({}), std::nullopt);
  std::vector<std::vector<RenderedValue>> sat = {{uint_v(UINT64_MAX), uint_v(1)},
                                                 {uint_v(1), uint_v(1)}};
  EXPECT_EQ(pickers::max_by_sum_u64(rows(sat)), 0u);
}

// ---- §5.13 -----------------------------------------------------------------------

TEST(FieldCoercion, PointersAsBool) {
  RenderedValue p = RenderedValue::make_ptr(0x1000), z = RenderedValue::make_ptr(0);
  EXPECT_TRUE(SnapshotField::of(p).as_bool().value());
  EXPECT_FALSE(SnapshotField::of(z).as_bool().value());
  RenderedValue arr = array_v({RenderedValue::make_ptr(0x2000), RenderedValue::make_ptr(0)});
  EXPECT_THAT(SnapshotField::of(arr).as_bool_array().value(), ElementsAre(true, false));
}

TEST(FieldCoercion, U64FromPtrCharBool) {
  RenderedValue p = RenderedValue::make_ptr(0xdead), c = RenderedValue::make_char(65),
                b = RenderedValue::make_bool(true);
  EXPECT_EQ(SnapshotField::of(p).as_u64().value(), 0xdeadu);
  EXPECT_EQ(SnapshotField::of(c).as_u64().value(), 65u);
  EXPECT_EQ(SnapshotField::of(b).as_u64().value(), 1u);
}

TEST(FieldCoercion, EnumSignedness) {
  RenderedValue u = RenderedValue::make_enum(64, -1, std::nullopt, false);
  EXPECT_EQ(SnapshotField::of(u).as_u64().value(), UINT64_MAX);
  RenderedValue s = RenderedValue::make_enum(32, -5, std::nullopt, true);
  auto e = err_as<errors::TypeMismatch>(SnapshotField::of(s).as_u64());
  EXPECT_EQ(e.actual, "Enum(signed-negative)");
}

TEST(FieldCoercion, SignAndRangeBoundaries) {
  RenderedValue neg = int_v(-1);
  EXPECT_EQ(err_as<errors::TypeMismatch>(SnapshotField::of(neg).as_u64()).actual, "Int(negative)");
  RenderedValue big = uint_v(UINT64_MAX);
  EXPECT_EQ(err_as<errors::TypeMismatch>(SnapshotField::of(big).as_i64()).actual,
            "Uint(>i64::MAX)");
}

TEST(FieldCoercion, F64AcceptsOnlyNumbers) {
  RenderedValue f = float_v(1.5);
  EXPECT_DOUBLE_EQ(SnapshotField::of(f).as_f64().value(), 1.5);
  for (const RenderedValue& v :
       {RenderedValue::make_char(1), RenderedValue::make_bool(true), RenderedValue::make_ptr(1)}) {
    auto e = err_as<errors::TypeMismatch>(SnapshotField::of(v).as_f64());
    EXPECT_EQ(e.expected, "f64");
    EXPECT_EQ(e.actual, kind_name(v.kind()));
  }
}

TEST(FieldCoercion, AsStrOnEnums) {
  RenderedValue named = RenderedValue::make_enum(32, 1, "A", false);
  RenderedValue nameless = RenderedValue::make_enum(32, 1, std::nullopt, false);
  EXPECT_EQ(SnapshotField::of(named).as_str().value(), "A");
  EXPECT_FALSE(SnapshotField::of(nameless).as_str().has_value());
  EXPECT_FALSE(SnapshotField::percpu_key(1).as_str().has_value());
}

TEST(FieldCoercion, PathsThroughPointers) {
  RenderedValue p = RenderedValue::make_ptr(1, strukt("s", {{"a", uint_v(3)}}));
  EXPECT_EQ(SnapshotField::of(p).get("a").as_u64().value(), 3u);
  RenderedValue scalar = uint_v(1);
  EXPECT_TRUE(error_in(SnapshotField::of(scalar).get("a")).is<errors::NotAStruct>());
  EXPECT_TRUE(error_in(SnapshotField::of(p).get("a..b")).is<errors::EmptyPathComponent>());
}

TEST(FieldCoercion, PercpuKeyAndMissingStates) {
  SnapshotField k = SnapshotField::percpu_key(7);
  EXPECT_TRUE(error_in(k.get("x")).is<errors::TypeMismatch>());
  EXPECT_TRUE(k.is_present());
  EXPECT_EQ(k.raw(), nullptr);
  EXPECT_EQ(k.error(), nullptr);
  EXPECT_EQ(k.as_u64().value(), 7u);
  SnapshotField m = SnapshotField::missing(errors::ProjectionFailed{"why"});
  EXPECT_FALSE(m.is_present());
  ASSERT_NE(m.error(), nullptr);
  EXPECT_EQ(m.as_u64().error(), *m.error());
}

TEST(FieldCoercion, ScalarTerminalsIgnoreDeref) {
  RenderedValue p = RenderedValue::make_ptr(0x10, uint_v(5));
  EXPECT_EQ(SnapshotField::of(p).as_u64().value(), 0x10u);
  EXPECT_FALSE(SnapshotField::of(p).as_f64().has_value());
}

TEST(SnapshotPercpuKey, KeySideOfPercpuArrayEntries) {
  auto r = synthetic_report();
  SnapshotEntry e = Snapshot(r).map("scx_pcpu")->at(0);
  EXPECT_EQ(e.key("").as_u64().value(), 0u);
  EXPECT_EQ(err_as<errors::TypeMismatch>(e.key("x")).actual, "Uint(percpu key)");
  SnapshotEntry v = Snapshot(r).map("bpf.bss")->at(0);
  EXPECT_EQ(err_as<errors::TypeMismatch>(v.key("")).actual, "single Value (no key)");
}

TEST(SnapshotEntrySides, NullRenderedSidesAreNoRendered) {
  FailureDumpMap m;
  m.name = "h";
  m.map_type = 1;
  FailureDumpEntry e;
  e.key_hex = "00";
  e.value_hex = "00";
  m.entries.push_back(e);
  auto r = make_report_with_maps({m});
  SnapshotEntry en = Snapshot(r).map("h")->at(0);
  auto v = err_as<errors::NoRendered>(en.get(""));
  EXPECT_EQ(v.map, "<entry>");
  EXPECT_EQ(v.side, "value");
  EXPECT_EQ(err_as<errors::NoRendered>(en.key("")).side, "key");
  EXPECT_EQ(SnapshotError(v).message(),
            "map '<entry>': value has no rendered structure (no BTF type at capture time)");
}

}  // namespace
