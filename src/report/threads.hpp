// SPDX-License-Identifier: Apache-2.0
// Threads that cannot end the process: starting one may fail
// (std::system_error), and whatever a thread's body throws is caught in that
// thread and handed back to the caller. Tests reach both through fault
// points: named places where a test hook may throw.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace scxsnap::detail {

/// A test's hook, called at each fault point with its name; it may throw
/// (std::system_error at "thread start", std::bad_alloc anywhere). None by
/// default. Set it only while no capture or reader runs.
using FaultHook = void (*)(std::string_view point);
void set_fault_hook(FaultHook hook);
/// Calls the hook, if one is set.
void fault_point(std::string_view point);

/// A thread running `body`, or none where the system refuses one (the
/// caller then does the work itself). The fault point "thread start" comes
/// first.
std::optional<std::thread> try_start_thread(std::function<void()> body);

/// fn(0) .. fn(n - 1), side by side: fn(0) on the caller's thread, the
/// others on threads of their own where they start, on the caller's where
/// not. All run to their end; then the first exception any of them threw is
/// rethrown here.
void run_parallel(unsigned n, const std::function<void(unsigned)>& fn);

/// run_parallel's work on threads that stay: lanes 1..n-1 are threads
/// started once (as many as start; the caller runs the lanes of those that
/// did not), lane 0 is the caller's. For work done in many rounds, where a
/// thread a round (and its thread-local parser, its malloc arena) would cost
/// more than the round.
class Lanes {
 public:
  explicit Lanes(unsigned n);
  ~Lanes();
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;
  unsigned size() const { return n_; }
  /// fn(0) .. fn(k - 1) side by side (k at most size()); all run to their
  /// end, then the first exception any threw is rethrown here.
  void run(unsigned k, const std::function<void(unsigned)>& fn);

 private:
  void serve(unsigned lane);
  unsigned n_;
  std::mutex mu_;
  std::condition_variable go_, done_;
  const std::function<void(unsigned)>* fn_ = nullptr;
  unsigned k_ = 0;
  std::uint64_t round_ = 0;
  unsigned pending_ = 0;
  bool stop_ = false;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;  // lane i + 1 is threads_[i]
};

}  // namespace scxsnap::detail
