// SPDX-License-Identifier: Apache-2.0
// RenderedValue's one description (rendered_fields.hpp) is what the writer
// writes and what the reader requires: for one value of every kind, the keys
// written are "kind" then the table's fields in order (Skipped ones only when
// present), every field the table marks required is reported missing by name
// when removed, and every other field may be removed.
#include "report/rendered_fields.hpp"

#include "scxsnap/report.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using scxsnap::RenderedValue;
using scxsnap::ValueKind;
using namespace scxsnap::detail;

// One value of each kind, with every Skipped field present.
std::vector<RenderedValue> one_of_each() {
  std::vector<RenderedValue> v;
  v.push_back(RenderedValue::make_int(32, -5));
  v.push_back(RenderedValue::make_uint(64, 18446744073709551615ULL));
  v.push_back(RenderedValue::make_bool(true));
  v.push_back(RenderedValue::make_char(65));
  v.push_back(RenderedValue::make_float(64, 1.5));
  v.push_back(RenderedValue::make_enum(32, 2, std::string_view("TWO"), false));
  std::vector<scxsnap::RenderedMember> members;
  members.emplace_back(scxsnap::SharedName("a"), RenderedValue::make_bool(false));
  v.push_back(RenderedValue::make_struct(std::string_view("s"), std::move(members)));
  std::vector<RenderedValue> elems;
  elems.push_back(RenderedValue::make_uint(8, 1));
  v.push_back(RenderedValue::make_array(4, std::move(elems)));
  v.push_back(RenderedValue::make_cpu_list("0-3"));
  v.push_back(RenderedValue::make_ptr(0x1000, RenderedValue::make_uint(32, 7), std::string("why"),
                                      std::string("cast")));
  v.push_back(RenderedValue::make_bytes("00ff"));
  v.push_back(RenderedValue::make_truncated(8, 4, RenderedValue::make_bytes("0102")));
  v.push_back(RenderedValue::make_unsupported("no"));
  return v;
}

// The top-level keys of a JSON object, in order.
std::vector<std::string> top_keys(const std::string& json) {
  auto parsed = scxsnap::parse_json(json);
  EXPECT_TRUE(parsed) << json;
  std::vector<std::string> keys;
  if (parsed)
    for (const auto& [k, _] : parsed->members()) keys.push_back(k);
  return keys;
}

// The JSON with top-level key `key` removed.
std::string without(const std::string& json, const std::string& key) {
  auto parsed = scxsnap::parse_json(json);
  std::string out = "{";
  for (const auto& [k, v] : parsed->members()) {
    if (k == key) continue;
    if (out.size() > 1) out += ',';
    out += "\"" + k + "\":" + scxsnap::to_json_text(v);
  }
  return out + "}";
}

TEST(RenderedFields, TableCoversEveryKindOnce) {
  auto values = one_of_each();
  ASSERT_EQ(values.size(), kRvShapes.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i].kind(), kRvShapes[i].kind);
    EXPECT_EQ(scxsnap::kind_tag(values[i].kind()), kRvShapes[i].tag);
    EXPECT_EQ(scxsnap::kind_from_tag(kRvShapes[i].tag), kRvShapes[i].kind);
  }
}

TEST(RenderedFields, WriterWritesTheTableInOrder) {
  for (const RenderedValue& v : one_of_each()) {
    const RvShape& shape = rv_shape(v.kind());
    std::vector<std::string> want = {"kind"};
    for (const RvField& f : shape.fields) want.emplace_back(f.name);
    EXPECT_EQ(top_keys(scxsnap::to_json(v)), want) << shape.tag;
  }
}

TEST(RenderedFields, SkippedFieldsAreLeftOutWhenAbsent) {
  std::string js = scxsnap::to_json(RenderedValue::make_ptr(0));
  std::vector<std::string> want = {"kind"};
  for (const RvField& f : rv_shape(ValueKind::Ptr).fields)
    if (f.absent != RvAbsent::Skipped) want.emplace_back(f.name);
  EXPECT_EQ(top_keys(js), want);
}

TEST(RenderedFields, ReaderRequiresWhatTheTableRequires) {
  for (const RenderedValue& v : one_of_each()) {
    const RvShape& shape = rv_shape(v.kind());
    const std::string js = scxsnap::to_json(v);
    auto back = scxsnap::parse_rendered_value(js);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(scxsnap::to_json(*back), js);
    for (const RvField& f : shape.fields) {
      auto r = scxsnap::parse_rendered_value(without(js, std::string(f.name)));
      if (f.absent == RvAbsent::Never) {
        ASSERT_FALSE(r) << shape.tag << " without " << f.name;
        EXPECT_NE(r.error().message().find("missing field `" + std::string(f.name) + "`"),
                  std::string::npos)
            << r.error().message();
      } else {
        EXPECT_TRUE(r) << shape.tag << " without " << f.name << ": " << r.error().message();
      }
    }
  }
}

TEST(RenderedFields, DuplicateFieldsAreRefusedAndOtherKindsFieldsIgnored) {
  auto dup = scxsnap::parse_rendered_value(R"({"kind":"bool","value":true,"value":false})");
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message().find("duplicate field `value`"), std::string::npos);
  // "bits" is not a field of bool: ignored like any unknown key, as serde does
  auto other = scxsnap::parse_rendered_value(R"({"kind":"bool","bits":"x","value":true})");
  ASSERT_TRUE(other) << other.error().message();
  EXPECT_TRUE(other->bool_value());
}

TEST(RenderedFields, FragmentsSpliceIntoWhatTheWriterWrites) {
  EXPECT_EQ(rv_json_head(ValueKind::Int, {"32"}) + "-5}",
            scxsnap::to_json(RenderedValue::make_int(32, -5)));
  EXPECT_EQ(
      rv_json_head(ValueKind::Truncated, {"8", "4"}) + rv_json_text(ValueKind::Bytes, "0102") + "}",
      scxsnap::to_json(RenderedValue::make_truncated(8, 4, RenderedValue::make_bytes("0102"))));
  EXPECT_EQ(rv_json_text(ValueKind::Unsupported, "a \"q\""),
            scxsnap::to_json(RenderedValue::make_unsupported("a \"q\"")));
  EXPECT_EQ(rv_json_member_head("m") + "true}", R"({"name":"m","value":true})");
}

}  // namespace
