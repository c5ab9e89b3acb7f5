// The scene the committed kernel tape (tests/data/tapes/objects.tape) was
// recorded from: the objects, the values the recording put in them, and the
// capture's filters. kernel_tape_live_test.cpp builds it in the running kernel
// (and re-records the tape: `make tapes`); kernel_tape_test.cpp replays the
// tape without root and checks the same values.
#pragma once

#include "capture/kernel_tape.hpp"
#include "scxsnap/capture.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace tape_scene {

inline constexpr std::uint64_t kNrCongAvoid = 222;    // cc.bss, in the attached struct_ops' object
inline constexpr std::uint32_t kBigHashEntries = 40;  // maps: big_hash[i] = {i, 2i, 3i, -i}
inline constexpr std::uint32_t kPcpuHashEntries = 5;  // maps: pcpu_hash[i] = 100 + i on each CPU
inline constexpr std::uint32_t kQueueHead = 7;        // maps: work_queue holds 7, then 9

inline std::string tape_path() {
  return std::string(SCXSNAP_TEST_DATA) + "/tapes/objects.tape";
}

/// The capture the tape recorded: the three objects, by name, and the queue
/// (which no program of its object uses and whose value has no BTF type).
inline scxsnap::CaptureOptions options() {
  scxsnap::CaptureOptions o;
  o.obj_prefixes = {"cc", "maps", "types"};
  o.map_names = {"work_queue"};
  return o;
}

/// The committed tape, opened for replay (a test failure when it cannot be).
inline std::unique_ptr<scxsnap::capture_detail::TapeReplayer> open_tape() {
  auto t = scxsnap::capture_detail::TapeReplayer::open(tape_path());
  EXPECT_TRUE(t.has_value()) << t.error().message();
  return t ? std::move(*t) : nullptr;
}

}  // namespace tape_scene
