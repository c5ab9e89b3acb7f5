// detail::Lanes: work in rounds on threads that stay. Each round runs every
// lane asked for exactly once and returns when all have ended; lanes not
// asked for do nothing; an exception in any lane reaches the caller after
// the round, and the lanes serve the next round; a lane whose thread could
// not start runs on the caller's thread. Also run under ThreadSanitizer.
#include "report/threads.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

using scxsnap::detail::Lanes;

TEST(Lanes, EveryLaneAskedForRunsOnceARoundAndTheRoundWaitsForAll) {
  Lanes lanes(4);
  ASSERT_EQ(lanes.size(), 4u);
  std::vector<int> runs(4, 0);  // lane i writes only runs[i]
  std::vector<std::thread::id> who(4);
  for (int round = 0; round < 200; ++round) {
    const unsigned k = 1 + static_cast<unsigned>(round % 4);
    lanes.run(k, [&](unsigned i) {
      if (i > 0) std::this_thread::yield();  // the caller must still wait
      ++runs[i];
      who[i] = std::this_thread::get_id();
    });
    // Every lane below k has run this round, none above.
    int total = 0;
    for (int r : runs) total += r;
    int expected = 0;
    for (int r = 0; r <= round; ++r) expected += 1 + r % 4;
    ASSERT_EQ(total, expected) << "round " << round;
  }
  EXPECT_EQ(runs[0], 200);
  EXPECT_EQ(runs[3], 50);
  EXPECT_EQ(who[0], std::this_thread::get_id());  // lane 0 is the caller's
  EXPECT_NE(who[1], std::this_thread::get_id());
}

TEST(Lanes, AnExceptionReachesTheCallerAfterTheRoundAndTheLanesGoOn) {
  Lanes lanes(3);
  std::atomic<int> ran{0};
  EXPECT_THROW(lanes.run(3,
                         [&](unsigned i) {
                           ++ran;
                           if (i == 2) throw std::runtime_error("lane 2");
                         }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 3);  // the others ran to their end
  ran = 0;
  lanes.run(3, [&](unsigned) { ++ran; });
  EXPECT_EQ(ran.load(), 3);
  lanes.run(0, [&](unsigned) { ++ran; });  // nothing asked, nothing run
  EXPECT_EQ(ran.load(), 3);
}

namespace {
void refuse_threads(std::string_view point) {
  if (point == "thread start") throw std::system_error(EAGAIN, std::generic_category());
}
}  // namespace

TEST(Lanes, LanesWithoutAThreadRunOnTheCallers) {
  scxsnap::detail::set_fault_hook(refuse_threads);
  Lanes lanes(3);
  scxsnap::detail::set_fault_hook(nullptr);
  std::vector<std::thread::id> who(3);
  lanes.run(3, [&](unsigned i) { who[i] = std::this_thread::get_id(); });
  for (const auto& id : who) EXPECT_EQ(id, std::this_thread::get_id());
}
