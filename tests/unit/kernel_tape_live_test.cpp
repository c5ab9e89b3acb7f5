// Kernel tapes against the live kernel: a capture replayed from its own tape
// is the capture; the committed tape still says what the kernel says of the
// same objects (when it does not, `make tapes` re-records it).
#include "bpf_fixture.hpp"
#include "capture/capture_internal.hpp"
#include "capture/kernel_tape.hpp"
#include "scxsnap/scxsnap.hpp"
#include "tape_scene.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using scxsnap::capture_detail::TapeReplayer;

namespace {

void link_flag(bpf_object* obj) {
  bpf_map* m = bpf_object__find_map_by_name(obj, "scxsnap_cc");
  ASSERT_NE(m, nullptr);
  bpf_map__set_map_flags(m, bpf_map__map_flags(m) | StructOpsLink::kLinkFlag);
}

// The objects of tape_scene.hpp, loaded and filled.
struct Scene {
  LoadedObject cc{"cc.bpf.o", nullptr, link_flag};
  LoadedObject maps{"maps.bpf.o"};
  LoadedObject types{"types.bpf.o"};
  std::unique_ptr<StructOpsLink> link;
  Scene() {
    if (!cc.obj || !maps.obj || !types.obj) return;
    cc.set_global(".bss", "nr_cong_avoid", &tape_scene::kNrCongAvoid, 8);
    link = std::make_unique<StructOpsLink>(bpf_object__find_map_by_name(cc.obj, "scxsnap_cc"));
    struct BigVal {
      std::uint64_t a, b;
      std::uint32_t c;
      std::int32_t d;
    };
    int big = bpf_map__fd(bpf_object__find_map_by_name(maps.obj, "big_hash"));
    for (std::uint32_t i = 0; i < tape_scene::kBigHashEntries; ++i) {
      BigVal v{i, 2ull * i, 3 * i, -static_cast<std::int32_t>(i)};
      EXPECT_EQ(bpf_map_update_elem(big, &i, &v, BPF_ANY), 0);
    }
    const int ncpus = libbpf_num_possible_cpus();
    int pcpu = bpf_map__fd(bpf_object__find_map_by_name(maps.obj, "pcpu_hash"));
    for (std::uint32_t i = 0; i < tape_scene::kPcpuHashEntries; ++i) {
      std::vector<std::uint64_t> slots(static_cast<std::size_t>(ncpus), 100 + i);
      EXPECT_EQ(bpf_map_update_elem(pcpu, &i, slots.data(), BPF_ANY), 0);
    }
    int queue = bpf_map__fd(bpf_object__find_map_by_name(maps.obj, "work_queue"));
    for (std::uint32_t v : {tape_scene::kQueueHead, 9u})
      EXPECT_EQ(bpf_map_update_elem(queue, nullptr, &v, BPF_ANY), 0);
  }
  bool ready() const { return cc.obj && maps.obj && types.obj && link && link->link_fd >= 0; }
};

// A report's text without what differs between two captures of the same
// state (when and how long).
std::string stable(FailureDumpReport r) {
  if (r.capture) {
    r.capture->captured_at.clear();
    r.capture->duration_us = 0;
  }
  return to_json(r);
}

// A map's contents as a replay can be compared with: without what differs
// between two loads of the same objects (ids, a hash map's order, the
// program ids in a struct_ops value: its type is compared).
std::string contents(FailureDumpMap m) {
  m.map_id = 0;
  m.btf_id = 0;
  auto by_key = [](const auto& a, const auto& b) { return a.key_hex < b.key_hex; };
  std::sort(m.entries.begin(), m.entries.end(), by_key);
  std::sort(m.percpu_hash_entries.begin(), m.percpu_hash_entries.end(), by_key);
  if (m.map_type == BPF_MAP_TYPE_STRUCT_OPS && m.value)
    m.value = RenderedValue::make_bytes(std::string(m.value->type_name().value_or("")));
  FailureDumpReport r;
  r.maps.push_back(std::move(m));
  return to_json(r);
}

TEST(KernelTape, ReplayingACapturesOwnTapeGivesTheSameReportModelJsonAndNative) {
  Scene scene;
  ASSERT_TRUE(scene.ready());
  TempDir dir;
  CaptureOptions o = tape_scene::options();
  o.record_kernel = dir.path() + "/k.tape";
  auto live = capture(o);
  ASSERT_TRUE(live.has_value()) << live.error().message();
  o.record_kernel.reset();

  auto tape = TapeReplayer::open(dir.path() + "/k.tape");
  ASSERT_TRUE(tape.has_value()) << tape.error().message();
  auto replayed = capture_detail::capture_model(o, **tape);
  ASSERT_TRUE(replayed.has_value()) << replayed.error().message();
  EXPECT_THAT((*tape)->misses(), ::testing::IsEmpty());
  EXPECT_EQ(stable(*replayed), stable(*live));
  EXPECT_EQ(replayed->active_obj_name, "cc");

  // The same tape through the streamed JSON and the native sinks.
  o.replay_kernel = dir.path() + "/k.tape";
  auto text = capture_json(o);
  ASSERT_TRUE(text.has_value()) << text.error().message();
  auto back = parse_report(*text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(stable(*back), stable(*live));
  auto native = capture_native(o, dir.path() + "/k.scxsnap");
  ASSERT_TRUE(native.has_value()) << native.error().message();
  auto read = load_any_dump(dir.path() + "/k.scxsnap");
  ASSERT_TRUE(read.has_value()) << read.error().message();
  const auto* nr = std::get_if<FailureDumpReport>(&*read);
  ASSERT_NE(nr, nullptr);
  EXPECT_EQ(stable(*nr), stable(*live));
}

TEST(KernelTape, TheCommittedTapeStillMatchesWhatTheKernelSaysOfTheSameObjects) {
  Scene scene;
  ASSERT_TRUE(scene.ready());
  auto live = capture(tape_scene::options());
  ASSERT_TRUE(live.has_value()) << live.error().message();
  CaptureOptions o = tape_scene::options();
  o.replay_kernel = tape_scene::tape_path();
  auto replayed = capture(o);
  ASSERT_TRUE(replayed.has_value()) << replayed.error().message();
  const char* fix =
      " (the objects changed since the tape was recorded: re-record it with `make tapes`)";
  EXPECT_EQ(replayed->active_obj_name, live->active_obj_name) << fix;
  // Every map of the three objects, by name; per-CPU maps only where the
  // machine has as many CPUs as the recording one.
  const bool same_cpus = replayed->per_cpu_time.size() == live->per_cpu_time.size();
  std::size_t compared = 0;
  for (const auto& m : live->maps) {
    const FailureDumpMap* r = nullptr;
    for (const auto& x : replayed->maps)
      if (x.name == m.name) r = &x;
    ASSERT_NE(r, nullptr) << m.name << " is not on the tape" << fix;
    if (!same_cpus && (!m.percpu_entries.empty() || !m.percpu_hash_entries.empty())) continue;
    if (m.ringbuf) continue;  // its positions move with the host's system calls
    EXPECT_TRUE(contents(*r) == contents(m)) << m.name << fix;
    ++compared;
  }
  EXPECT_GE(compared, 10u);
}

// `make tapes`: records tests/data/tapes/objects.tape from the scene.
TEST(KernelTape, DISABLED_Record) {
  const char* out = std::getenv("SCXSNAP_RECORD_TAPE");
  ASSERT_NE(out, nullptr) << "set SCXSNAP_RECORD_TAPE to the tape's path";
  Scene scene;
  ASSERT_TRUE(scene.ready());
  CaptureOptions o = tape_scene::options();
  o.record_kernel = out;
  auto r = capture(o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
}

}  // namespace
