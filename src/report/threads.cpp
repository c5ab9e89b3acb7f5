// SPDX-License-Identifier: Apache-2.0
#include "threads.hpp"

#include <algorithm>
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

Lanes::Lanes(unsigned n) : n_(std::max(n, 1u)), errors_(n_) {
  threads_.reserve(n_ - 1);
  for (unsigned lane = 1; lane < n_; ++lane) {
    auto th = try_start_thread([this, lane] { serve(lane); });
    if (!th) break;  // the caller runs the lanes without a thread
    threads_.push_back(std::move(*th));
  }
}

Lanes::~Lanes() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  go_.notify_all();
  for (auto& t : threads_) t.join();
}

void Lanes::serve(unsigned lane) {
  std::uint64_t seen = 0;
  while (true) {
    const std::function<void(unsigned)>* fn = nullptr;
    {
      std::unique_lock lk(mu_);
      go_.wait(lk, [&] { return stop_ || round_ != seen; });
      if (stop_) return;
      seen = round_;
      if (lane < k_) fn = fn_;
    }
    if (fn) {
      try {
        (*fn)(lane);
      } catch (...) {
        errors_[lane] = std::current_exception();
      }
    }
    {
      std::lock_guard lk(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void Lanes::run(unsigned k, const std::function<void(unsigned)>& fn) {
  k = std::min(k, n_);
  if (k == 0) return;
  std::fill(errors_.begin(), errors_.end(), nullptr);
  {
    std::lock_guard lk(mu_);
    fn_ = &fn;
    k_ = k;
    pending_ = static_cast<unsigned>(threads_.size());
    ++round_;
  }
  go_.notify_all();
  auto run_here = [&](unsigned lane) {
    try {
      fn(lane);
    } catch (...) {
      errors_[lane] = std::current_exception();
    }
  };
  run_here(0);
  // Lanes whose thread did not start.
  for (unsigned lane = static_cast<unsigned>(threads_.size()) + 1; lane < k; ++lane) run_here(lane);
  {
    std::unique_lock lk(mu_);
    done_.wait(lk, [&] { return pending_ == 0; });
    fn_ = nullptr;
  }
  for (const auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

}  // namespace scxsnap::detail
