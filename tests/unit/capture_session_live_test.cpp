// Capture sessions against the running kernel: a session reads values anew
// every capture (only fixed facts are kept), follows a filter that changes,
// and drops what belongs to an object that is gone.
#include "bpf_fixture.hpp"
#include "capture/capture_cache.hpp"
#include "capture/capture_internal.hpp"
#include "scxsnap/scxsnap.hpp"

#include <bpf/btf.h>

#include <gtest/gtest.h>
#include <memory>

using namespace scxsnap;
using scxsnap::capture_detail::CaptureCache;

namespace {

CaptureOptions maps_of(const LoadedObject& lo) {
  CaptureOptions o;
  bpf_map* m = nullptr;
  bpf_object__for_each_map(m, lo.obj) o.map_ids.push_back(LoadedObject::id_of(m));
  return o;
}

// The kernel's id of the object's BTF.
std::uint32_t btf_id_of(const LoadedObject& lo) {
  const int fd = btf__fd(bpf_object__btf(lo.obj));
  if (fd < 0) return 0;
  bpf_btf_info info{};
  std::uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return 0;
  return info.id;
}

TEST(CaptureSessionLive, ValuesAreReadAnewAndWhatIsGoneIsDropped) {
  auto a = std::make_unique<LoadedObject>("types.bpf.o");
  ASSERT_TRUE(a->obj);
  CaptureCache cache(capture_detail::system_kernel_source(), 4096);
  CaptureOptions oa = maps_of(*a);
  auto r1 = capture_detail::capture_model(oa, cache);
  ASSERT_TRUE(r1.has_value()) << r1.error().message();
  EXPECT_EQ(Snapshot(*r1).var("nr_dispatched").as_u64().value(), 907u);

  // A value that moves is seen to move: values are never kept.
  std::uint64_t moved = 123456;
  a->set_global(".data", "nr_dispatched", &moved, sizeof moved);
  auto r2 = capture_detail::capture_model(oa, cache);
  ASSERT_TRUE(r2.has_value()) << r2.error().message();
  EXPECT_EQ(Snapshot(*r2).var("nr_dispatched").as_u64().value(), moved);
  const std::uint32_t a_btf = btf_id_of(*a);
  const std::uint32_t a_map = oa.map_ids.front();
  ASSERT_NE(a_btf, 0u);
  EXPECT_TRUE(cache.knows_btf(a_btf));
  EXPECT_TRUE(cache.knows_map(a_map));

  // Another object, and the first one gone: the session follows the new
  // filter and keeps nothing of the first.
  LoadedObject b("types.bpf.o");
  ASSERT_TRUE(b.obj);
  a.reset();
  CaptureOptions ob = maps_of(b);
  auto r3 = capture_detail::capture_model(ob, cache);
  ASSERT_TRUE(r3.has_value()) << r3.error().message();
  EXPECT_EQ(Snapshot(*r3).var("nr_dispatched").as_u64().value(), 907u);
  EXPECT_FALSE(cache.knows_btf(a_btf));
  EXPECT_FALSE(cache.knows_map(a_map));
  EXPECT_TRUE(cache.knows_btf(btf_id_of(b)));
}

TEST(CaptureSessionLive, ASessionCapturesWhatOneShotCapturesDo) {
  LoadedObject lo("types.bpf.o");
  ASSERT_TRUE(lo.obj);
  auto session = CaptureSession::open(maps_of(lo));
  ASSERT_TRUE(session.has_value()) << session.error().message();
  for (int i = 0; i < 3; ++i) {
    auto s = session->capture_json();
    auto once = capture_json(maps_of(lo));
    ASSERT_TRUE(s.has_value() && once.has_value());
    auto rs = parse_report(*s), ro = parse_report(*once);
    ASSERT_TRUE(rs.has_value() && ro.has_value());
    FailureDumpReport ms, mo;
    ms.maps = rs->maps;
    mo.maps = ro->maps;
    EXPECT_EQ(to_json(ms), to_json(mo)) << "capture " << i;
  }
  session->options().max_array_elements = 7;
  auto refused = session->capture();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::InvalidArgument);
}

// A typed hash large enough to be rendered on several threads, with every
// value cut by the render budget: the text is the serial model's, and the
// map's error counts each cut value once.
TEST(ParallelEntriesLive, ATypedLargeHashCutByTheBudgetRendersAsTheModel) {
  LoadedObject lo("maps.bpf.o");
  ASSERT_TRUE(lo.obj);
  bpf_map* big = lo.map_ending("big_hash");
  ASSERT_NE(big, nullptr);
  const std::uint32_t n = bpf_map__max_entries(big);
  std::vector<std::uint8_t> v(bpf_map__value_size(big));
  for (std::uint32_t k = 0; k < n; ++k) {
    for (std::size_t b = 0; b < v.size(); ++b) v[b] = static_cast<std::uint8_t>(k + b);
    ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(big), &k, v.data(), BPF_ANY), 0);
  }
  for (std::uint64_t budget : {std::uint64_t{0}, std::uint64_t{40}}) {
    CaptureOptions o;
    o.map_ids = {LoadedObject::id_of(big)};
    o.max_value_bytes = budget;
    auto model = capture(o);
    auto text = capture_json(o);
    ASSERT_TRUE(model.has_value() && text.has_value());
    auto back = parse_report(*text);
    ASSERT_TRUE(back.has_value()) << back.error().message();
    ASSERT_EQ(model->maps.size(), 1u);
    ASSERT_EQ(back->maps.size(), 1u);
    EXPECT_EQ(back->maps[0].entries.size(), n);
    EXPECT_EQ(back->maps[0].error, model->maps[0].error) << "budget " << budget;
    if (budget) {  // every key and every value
      ASSERT_TRUE(back->maps[0].error.has_value());
      EXPECT_NE(back->maps[0].error->find(std::to_string(2 * n) + " values cut"), std::string::npos)
          << *back->maps[0].error;
    }
    FailureDumpReport a, b;
    a.maps = model->maps;
    b.maps = back->maps;
    const std::string ja = to_json(a), jb = to_json(b);
    EXPECT_EQ(ja.size(), jb.size()) << "budget " << budget;
    EXPECT_TRUE(ja == jb) << "budget " << budget << ": the texts differ";
  }
}

}  // namespace
