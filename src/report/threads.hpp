// SPDX-License-Identifier: Apache-2.0
// Threads that cannot end the process: starting one may fail
// (std::system_error), and whatever a thread's body throws is caught in that
// thread and handed back to the caller. Tests reach both through fault
// points: named places where a test hook may throw.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <thread>

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

}  // namespace scxsnap::detail
