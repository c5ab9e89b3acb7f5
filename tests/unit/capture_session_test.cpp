// Capture sessions (CaptureSession, capture_cache.hpp): captures that share
// BTF, layout plans and the maps' and programs' fixed descriptions. From the
// committed kernel tape (no root): a session's later captures ask the kernel
// for none of those again and give the same report; the public API over a
// tape; and what a session refuses.
#include "capture/capture_cache.hpp"
#include "capture/capture_internal.hpp"
#include "capture/kernel_tape.hpp"
#include "scxsnap/scxsnap.hpp"
#include "tape_scene.hpp"

#include <cerrno>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using scxsnap::capture_detail::CaptureCache;
using scxsnap::capture_detail::TapeFault;
using scxsnap::capture_detail::TapeReplayer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

using tape_scene::open_tape;

// The maps and the active object: what a capture read (not when or how long).
std::string contents(const FailureDumpReport& r) {
  FailureDumpReport c;
  c.maps = r.maps;
  c.active_obj_name = r.active_obj_name;
  return to_json(c);
}

// Every call that asks for something a session keeps fails from now on.
void refuse_what_a_session_keeps(TapeReplayer& tape) {
  for (const char* call : {"vmlinux_btf", "btf_by_id", "map_info", "host"})
    tape.inject(TapeFault{call, "", 0, -EIO});
}

TEST(CaptureSession, LaterCapturesAskForNoBtfOrDescriptionAgainAndGiveTheSameReport) {
  auto tape = open_tape();
  ASSERT_NE(tape, nullptr);
  const CaptureOptions o = tape_scene::options();
  CaptureCache cache(*tape, o.max_array_elements);
  auto first = capture_detail::capture_model(o, cache);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(first->active_obj_name, "cc");
  EXPECT_GT(cache.btf_objects(), 1u);  // vmlinux and the objects' BTF
  EXPECT_GE(cache.maps_known(), first->maps.size());

  refuse_what_a_session_keeps(*tape);
  for (int i = 0; i < 3; ++i) {
    auto again = capture_detail::capture_model(o, cache);
    ASSERT_TRUE(again.has_value()) << again.error().message();
    EXPECT_EQ(contents(*again), contents(*first)) << "capture " << i + 2;
    ASSERT_TRUE(again->capture && first->capture);
    EXPECT_EQ(again->capture->host, first->capture->host);
    EXPECT_FALSE(again->capture->host.empty());
  }
  EXPECT_THAT(tape->misses(), IsEmpty());

  // The faults bite a capture that has no session to draw on.
  CaptureCache fresh(*tape, o.max_array_elements);
  auto cold = capture_detail::capture_model(o, fresh);
  EXPECT_TRUE(!cold.has_value() || contents(*cold) != contents(*first));
}

TEST(CaptureSession, JsonAndModelOfOneSessionAgree) {
  CaptureOptions o = tape_scene::options();
  o.replay_kernel = tape_scene::tape_path();
  auto session = CaptureSession::open(o);
  ASSERT_TRUE(session.has_value()) << session.error().message();
  auto model = session->capture();
  ASSERT_TRUE(model.has_value()) << model.error().message();
  const CaptureSession::Held held = session->held();
  EXPECT_GT(held.btf_objects, 1u);
  EXPECT_GT(held.maps, 0u);
  EXPECT_GT(held.programs, 0u);  // the struct_ops programs that name the active object
  auto json = session->capture_json();
  ASSERT_TRUE(json.has_value()) << json.error().message();
  auto back = parse_report(*json);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(contents(*back), contents(*model));
  // The same as a one-shot capture of the same kernel.
  auto once = capture(o);
  ASSERT_TRUE(once.has_value()) << once.error().message();
  EXPECT_EQ(contents(*once), contents(*model));
  EXPECT_EQ(session->held().btf_objects, held.btf_objects);  // nothing more was loaded
}

TEST(CaptureSession, ANativeSeriesThroughASessionReadsBackLikeOneShotSamples) {
  CaptureOptions o = tape_scene::options();
  o.replay_kernel = tape_scene::tape_path();
  auto session = CaptureSession::open(o);
  ASSERT_TRUE(session.has_value()) << session.error().message();
  const std::string path = ::testing::TempDir() + "/session_series.scxsnap";
  auto w = NativeSeriesWriter::create(path);
  ASSERT_TRUE(w.has_value()) << w.error().message();
  ASSERT_TRUE(w->capture(*session, "s0", 0).has_value());
  ASSERT_TRUE(w->capture(o, "s1", 10).has_value());  // one-shot
  ASSERT_TRUE(w->capture(*session, "s2", 20).has_value());
  ASSERT_TRUE(w->commit().has_value());
  auto series = NativeSnapshot::open(path);
  ASSERT_TRUE(series.has_value()) << series.error().message();
  ASSERT_EQ(series->sample_count(), 3u);
  auto sample = [&](std::size_t k) {
    auto r = series->load_sample(k);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    return r ? contents(*r) : std::string();
  };
  const std::string one_shot = sample(1);
  EXPECT_FALSE(one_shot.empty());
  EXPECT_EQ(sample(0), one_shot);
  EXPECT_EQ(sample(2), one_shot);
}

TEST(CaptureSession, RecordingIsRefusedWithTheReason) {
  CaptureOptions o;
  o.record_kernel = ::testing::TempDir() + "/never.tape";
  auto session = CaptureSession::open(o);
  ASSERT_FALSE(session.has_value());
  EXPECT_EQ(session.error().code(), ErrorCode::InvalidArgument);
  EXPECT_THAT(session.error().message(), HasSubstr("does not record a tape"));
}

}  // namespace

namespace {

// A long series through a session: the writer keeps only its last samples in
// memory and spills the others' index to disk; every sample reads back, with
// its types, and a sample that failed midway (a filter that matched nothing)
// leaves no trace, not even in the types of the samples after it.
TEST(CaptureSession, ALongNativeSeriesSpillsItsIndexAndReadsBackWhole) {
  CaptureOptions o;
  o.replay_kernel = tape_scene::tape_path();
  o.map_names = {"big_hash", "cc.bss"};
  auto session = CaptureSession::open(o);
  ASSERT_TRUE(session.has_value()) << session.error().message();
  const std::string path = ::testing::TempDir() + "/session_long_series.scxsnap";
  auto w = NativeSeriesWriter::create(path);
  ASSERT_TRUE(w.has_value()) << w.error().message();
  constexpr std::size_t kSamples = 150;  // past the writer's 64 in memory, twice
  for (std::size_t k = 0; k < kSamples; ++k) {
    if (k == 70) {
      session->options().map_names = {"no_such_map"};
      auto failed = w->capture(*session, "failed", k);
      ASSERT_FALSE(failed.has_value());
      session->options().map_names = o.map_names;
    }
    auto s = w->capture(*session, "s" + std::to_string(k), k);
    ASSERT_TRUE(s.has_value()) << k << ": " << s.error().message();
  }
  EXPECT_EQ(w->samples(), kSamples);
  ASSERT_TRUE(w->commit().has_value());

  auto once = capture(o);
  ASSERT_TRUE(once.has_value()) << once.error().message();
  auto series = NativeSnapshot::open(path);
  ASSERT_TRUE(series.has_value()) << series.error().message();
  ASSERT_EQ(series->sample_count(), kSamples);
  for (std::size_t k : {std::size_t{0}, std::size_t{63}, std::size_t{64}, std::size_t{69},
                        std::size_t{70}, std::size_t{71}, std::size_t{128}, kSamples - 1}) {
    EXPECT_EQ(series->sample_tag(k), "s" + std::to_string(k));
    EXPECT_EQ(series->sample_elapsed_ms(k), k);
    auto r = series->load_sample(k);
    ASSERT_TRUE(r.has_value()) << k << ": " << r.error().message();
    EXPECT_EQ(contents(*r), contents(*once)) << "sample " << k;
  }
}

}  // namespace
