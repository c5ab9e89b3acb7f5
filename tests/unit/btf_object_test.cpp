// Rendering the initial images of a real BPF object's .data and .rodata,
// with the BTF clang emitted (tests/bpf/types.bpf.c).
#include "expect_error.hpp"
#include "scxsnap/scxsnap.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;

namespace {

struct ObjectDeleter {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectDeleter>;

ObjectPtr open_types_object() {
  std::string path = std::string(SCXSNAP_BPF_DIR) + "/types.bpf.o";
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) ADD_FAILURE() << "cannot open " << path;
  return ObjectPtr(obj);
}

RenderedValue initial_value(bpf_object* obj, const char* suffix) {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    std::string_view n = bpf_map__name(map);
    if (n.ends_with(suffix)) break;
  }
  if (!map) {
    ADD_FAILURE() << "no map " << suffix;
    return {};
  }
  std::size_t size = 0;
  const void* data = bpf_map__initial_value(map, &size);
  BtfRenderer r(bpf_object__btf(obj));
  auto v = r.render(bpf_map__btf_value_type_id(map),
                    std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), size));
  if (!v) {
    ADD_FAILURE() << v.error().message();
    return {};
  }
  std::string json;
  EXPECT_TRUE(
      r.render_json(bpf_map__btf_value_type_id(map),
                    std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), size),
                    json)
          .has_value());
  EXPECT_EQ(json, to_json(*v));
  return *v;
}

std::string comm_of(const RenderedValue& v) {
  std::string s;
  for (const auto& e : v.elements()) {
    if (e.char_value() == 0) break;
    s += static_cast<char>(e.char_value());
  }
  return s;
}

TEST(BtfObject, DataSectionInitialImage) {
  auto obj = open_types_object();
  ASSERT_TRUE(obj);
  RenderedValue data = initial_value(obj.get(), ".data");
  ASSERT_EQ(data.kind(), ValueKind::Struct);
  EXPECT_EQ(data.type_name(), ".data");
  FailureDumpReport r;
  FailureDumpMap m;
  m.name = "types.data";
  m.map_type = 2;
  m.value = data;
  r.maps.push_back(m);
  Snapshot s(r);
  EXPECT_EQ(s.var("nr_dispatched").as_u64().value(), 907u);
  EXPECT_EQ(s.var("neg_counter").as_i64().value(), -42);
  EXPECT_TRUE(s.var("enabled").as_bool().value());
  EXPECT_EQ(s.var("letter").raw()->kind(), ValueKind::Char);
  EXPECT_EQ(s.var("letter").as_u64().value(), static_cast<std::uint64_t>('Q'));
  EXPECT_EQ(s.var("cur_mode").as_str().value(), "MODE_SLOW");
  EXPECT_EQ(s.var("signed_mode").as_str().value(), "SGN_NEG");
  EXPECT_EQ(s.var("big_u64").as_u64().value(), UINT64_MAX);
  EXPECT_TRUE(error_in(s.var("null_ptr")).is<errors::VarNotFound>());  // zero-initialised: in .bss
  EXPECT_EQ(s.var("small_arr").as_u32_array().value(), (std::vector<std::uint32_t>{1, 2, 3, 4, 5}));
  SnapshotField leader = s.var("leader");
  EXPECT_EQ(leader.get("pid").as_i64().value(), 1234);
  EXPECT_EQ(leader.get("runtime_ns").as_u64().value(), 5000000u);
  EXPECT_EQ(leader.get("mode").as_str().value(), "MODE_FAST");
  EXPECT_EQ(leader.get("in.lo").as_u64().value(), 65535u);
  EXPECT_EQ(leader.get("in.hi").as_i64().value(), -2);
  EXPECT_EQ(comm_of(*leader.get("comm").raw()), "scx_demo");
  EXPECT_EQ(leader.get("raw").as_u64_array().value(),
            (std::vector<std::uint64_t>{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(leader.get("f.a").as_u64().value(), 5u);
  EXPECT_EQ(leader.get("f.b").as_u64().value(), 700u);
  EXPECT_EQ(leader.get("f.c").as_i64().value(), -2);
  EXPECT_EQ(leader.get("f.d").as_u64().value(), 42u);
  // The anonymous union: a member named "" rendering both views of the bytes.
  const RenderedValue* anon = leader.raw()->member("");
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->get("word")->uint_value(), 0x11223344u);
  EXPECT_EQ(SnapshotField::of(*anon->get("bytes")).as_u64_array().value(),
            (std::vector<std::uint64_t>{0x44, 0x33, 0x22, 0x11}));
}

TEST(BtfObject, RodataSectionInitialImage) {
  auto obj = open_types_object();
  ASSERT_TRUE(obj);
  RenderedValue ro = initial_value(obj.get(), ".rodata");
  EXPECT_EQ(ro.get("nr_cpus_onln")->uint_value(), 4u);
  EXPECT_EQ(ro.get("slice_ns")->uint_value(), 20000000u);
  EXPECT_EQ(ro.get("init_mode")->variant(), "MODE_FAST");
}

}  // namespace
