// SPDX-License-Identifier: Apache-2.0
#include "threads.hpp"

#include <atomic>
#include <exception>
#include <vector>

namespace scxsnap::detail {
namespace {
std::atomic<FaultHook> g_hook{nullptr};
}  // namespace

void set_fault_hook(FaultHook hook) {
  g_hook.store(hook, std::memory_order_release);
}

void fault_point(std::string_view point) {
  if (FaultHook h = g_hook.load(std::memory_order_acquire)) h(point);
}

std::optional<std::thread> try_start_thread(std::function<void()> body) {
  try {
    fault_point("thread start");
    return std::thread(std::move(body));
  } catch (...) {
    // std::system_error (EAGAIN: too many threads, no memory for a stack) or
    // std::bad_alloc (the body's copy): the caller does the work itself.
    return std::nullopt;
  }
}

void run_parallel(unsigned n, const std::function<void(unsigned)>& fn) {
  std::vector<std::exception_ptr> errors(n);
  auto run = [&](unsigned t) {
    try {
      fn(t);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  std::vector<unsigned> inline_runs;
  pool.reserve(n);  // no reallocation (and so no throw) while threads run
  inline_runs.reserve(n);
  for (unsigned t = 1; t < n; ++t) {
    if (auto th = try_start_thread([&run, t] { run(t); }))
      pool.push_back(std::move(*th));
    else
      inline_runs.push_back(t);
  }
  run(0);
  for (unsigned t : inline_runs) run(t);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace scxsnap::detail
