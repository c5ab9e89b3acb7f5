// SPDX-License-Identifier: Apache-2.0
// capture_on_exit (scxsnap/on_exit.hpp): arm (take the maps and hold an fd
// of each), wait for the first trigger, capture the held maps. The waiting
// is one poll() over the fds the kernel can wake (the loader's pidfd) with a
// timeout that is the next periodic duty: looking at links, sysfs state and
// conditions (poll_ms), keeping a sample (interval_ms), the deadline. With
// nothing periodic to do it sleeps until woken.
#include "scxsnap/on_exit.hpp"

#include "capture/capture_internal.hpp"
#include "capture/fd.hpp"
#include "capture/kernel_source.hpp"
#include "globals_probe.hpp"
#include "report/guard.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/sample_series.hpp"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <fmt/format.h>
#include <fstream>
#include <poll.h>
#include <set>
#include <sys/syscall.h>
#include <unistd.h>

namespace scxsnap {
namespace {

using Clock = std::chrono::steady_clock;
using capture_detail::Fd;

std::uint64_t ms_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count()));
}

// sched_ext's sysfs state: "enabled", "disabled", ... and the root ops'
// name; none where the kernel has no sched_ext.
struct ScxState {
  std::optional<std::string> state, ops;
  friend bool operator==(const ScxState&, const ScxState&) = default;
};

std::optional<std::string> first_line(const char* path) {
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line)) return std::nullopt;
  return line;
}

ScxState read_scx_state() {
  return {first_line("/sys/kernel/sched_ext/state"), first_line("/sys/kernel/sched_ext/root/ops")};
}

// The conditions of --until/--until-fails, evaluated over the newest samples.
struct Condition {
  Expectation e;
  bool on_pass;  // --until fires on PASS, --until-fails on FAIL
};

// What the held struct_ops maps are: those registered through a link now.
std::set<std::uint32_t> linked_struct_ops(capture_detail::KernelSource& src) {
  auto ids = src.struct_ops_link_map_ids();
  return {ids.begin(), ids.end()};
}

class Armed {
 public:
  explicit Armed(const OnExitOptions& o) : o_(o) {}

  Result<OnExitResult> run() {
    SCXSNAP_TRY_VOID(parse_conditions());
    SCXSNAP_TRY_VOID(arm());
    if (o_.armed) o_.armed(armed_line());
    SCXSNAP_TRY(CaptureTrigger t, wait());
    return fire(std::move(t));
  }

 private:
  Result<void> parse_conditions() {
    for (const auto* list : {&o_.until, &o_.until_fails})
      for (const auto& text : *list) {
        auto e = parse_expectation(text);
        if (!e)
          return Error(ErrorCode::InvalidArgument,
                       fmt::format("{} '{}': {}", list == &o_.until ? "--until" : "--until-fails",
                                   text, e.error().message()));
        conditions_.push_back({std::move(*e), list == &o_.until});
      }
    return {};
  }

  // The first sample decides what is held: every map it captured.
  Result<void> arm() {
    armed_at_ = Clock::now();
    SCXSNAP_TRY(auto session, CaptureSession::open(o_.capture));
    session_.emplace(std::move(session));
    SCXSNAP_TRY(FailureDumpReport first, session_->capture());
    if (first.maps.empty())
      return Error(ErrorCode::NotFound,
                   "nothing to hold: no map matched (name the scheduler with --obj, --map or "
                   "--map-id, or load it first)");
    auto& src = capture_detail::system_kernel_source();
    for (const auto& m : first.maps) {
      if (m.map_id == 0) continue;
      Fd fd(src.open_map(m.map_id));
      if (!fd.valid())
        return Error(ErrorCode::Io, fmt::format("cannot hold map {} ({}): {}", m.map_id, m.name,
                                                std::strerror(-fd.get())));
      held_.push_back(std::move(fd));
      held_ids_.push_back(m.map_id);
      if (m.map_type == BPF_MAP_TYPE_STRUCT_OPS) struct_ops_.push_back(m.map_id);
    }
    active_obj_ = first.active_obj_name;
    // From here on the session captures exactly the held maps.
    CaptureOptions& co = session_->options();
    co.map_names.clear();
    co.obj_prefixes.clear();
    co.map_ids = held_ids_;
    if (o_.wait_pid) {
      const long fd = ::syscall(SYS_pidfd_open, *o_.wait_pid, 0);
      if (fd < 0)
        return Error(ErrorCode::NotFound,
                     fmt::format("--wait-pid {}: {}", *o_.wait_pid, std::strerror(errno)));
      pidfd_ = Fd(static_cast<int>(fd));
    }
    if (o_.watch_struct_ops && !struct_ops_.empty()) {
      const auto linked = linked_struct_ops(src);
      for (std::uint32_t id : struct_ops_)
        if (linked.contains(id)) watched_links_.push_back(id);
    }
    if (o_.watch_sched_ext) scx_ = read_scx_state();
    // Conditions over global variables only are sampled from the sections
    // themselves (globals_probe.hpp), not by whole captures.
    if (!conditions_.empty() && std::ranges::all_of(conditions_, [](const Condition& c) {
          return std::ranges::all_of(c.e.projs,
                                     [](const std::string& p) { return p.starts_with("var:"); });
        })) {
      std::vector<Expectation> es;
      es.reserve(conditions_.size());
      for (const auto& c : conditions_) es.push_back(c.e);
      probe_ = trigger_detail::GlobalsProbe::open(src, first, session_->options(),
                                                  expectation_needs(es).vars);
    }
    if (probe_) probed_.push_back({Clock::now(), probe_->sample()});
    if (o_.keep_last || (!conditions_.empty() && !probe_)) keep(std::move(first));
    return {};
  }

  std::string armed_line() const {
    std::vector<std::string> what;
    if (pidfd_.valid()) what.push_back(fmt::format("pid {} exiting", *o_.wait_pid));
    for (std::uint32_t id : watched_links_)
      what.push_back(fmt::format("struct_ops map {} detaching", id));
    if (scx_.state) what.push_back(fmt::format("sched_ext state leaving '{}'", *scx_.state));
    for (const auto& c : conditions_)
      what.push_back(fmt::format("{} {}", c.on_pass ? "until" : "until-fails", c.e.text));
    if (o_.timeout_ms) what.push_back(fmt::format("{} ms passing", o_.timeout_ms));
    what.push_back("a signal");
    std::string line =
        fmt::format("armed: holding {} map(s) [{}]; waiting for {}", held_ids_.size(),
                    fmt::join(held_ids_, " "), fmt::join(what, ", "));
    if (o_.keep_last)
      line += fmt::format("; keeping the last {} samples, one every {} ms", o_.keep_last,
                          o_.interval_ms);
    return line;
  }

  struct Kept {
    Clock::time_point at;
    FailureDumpReport report;
  };

  void keep(FailureDumpReport r) {
    kept_.push_back({Clock::now(), std::move(r)});
    const std::size_t room = std::max<std::size_t>(
        {o_.keep_last, std::size_t{conditions_.empty() || probe_ ? 0u : 2u}, 1});
    while (kept_.size() > room) kept_.pop_front();
  }

  // The conditions over the newest one or two samples: the first that decides.
  std::optional<CaptureTrigger> check_conditions(const std::deque<Kept>& samples) {
    if (conditions_.empty() || samples.empty()) return std::nullopt;
    std::vector<SampleRow> rows;
    const std::size_t from = samples.size() >= 2 ? samples.size() - 2 : 0;
    for (std::size_t i = from; i < samples.size(); ++i) {
      SampleRow row;
      row.tag = fmt::format("periodic_{:03}", i);
      row.elapsed_ms = ms_between(armed_at_, samples[i].at);
      row.report = samples[i].report;
      rows.push_back(std::move(row));
    }
    SampleSeries series(std::move(rows));
    for (const auto& c : conditions_) {
      auto out = evaluate_expectation(c.e, series);
      if (!out) {
        condition_error_ = out.error();
        return std::nullopt;
      }
      const bool fire = c.on_pass ? out->kind == VerdictKind::Pass : out->kind == VerdictKind::Fail;
      if (fire) return CaptureTrigger{c.on_pass ? "until" : "until-fails", c.e.text, {}, 0, 0};
    }
    return std::nullopt;
  }

  std::optional<CaptureTrigger> check_periodic(auto& src) {
    const auto linked = watched_links_.empty() ? std::set<std::uint32_t>{} : linked_struct_ops(src);
    for (std::uint32_t id : watched_links_) {
      if (!linked.contains(id))
        return CaptureTrigger{"struct-ops-detach",
                              fmt::format("struct_ops map {} is no longer attached by a link", id),
                              {},
                              0,
                              0};
    }
    if (scx_.state) {
      ScxState now = read_scx_state();
      if (now != scx_)
        return CaptureTrigger{
            "sched-ext-state",
            fmt::format("sched_ext state '{}' -> '{}' (ops '{}' -> '{}')", *scx_.state,
                        now.state.value_or("?"), scx_.ops.value_or(""), now.ops.value_or("")),
            {},
            0,
            0};
    }
    return std::nullopt;
  }

  Result<CaptureTrigger> wait() {
    auto& src = capture_detail::system_kernel_source();
    const bool periodic = !watched_links_.empty() || scx_.state || !conditions_.empty();
    const bool sampling = o_.keep_last > 0 || (!conditions_.empty() && !probe_);
    const auto sample_every = std::chrono::milliseconds(
        conditions_.empty() || probe_ ? o_.interval_ms : std::min(o_.interval_ms, o_.poll_ms));
    const auto poll_every = std::chrono::milliseconds(std::max<std::uint32_t>(o_.poll_ms, 1));
    auto next_sample = Clock::now() + sample_every;
    auto next_poll = Clock::now() + poll_every;
    const std::optional<Clock::time_point> deadline =
        o_.timeout_ms ? std::optional(armed_at_ + std::chrono::milliseconds(o_.timeout_ms))
                      : std::nullopt;
    while (true) {
      if (o_.stop && o_.stop->load())
        return CaptureTrigger{"signal", "a stop was requested", {}, 0, 0};
      auto now = Clock::now();
      if (deadline && now >= *deadline)
        return CaptureTrigger{"timeout", fmt::format("{} ms passed", o_.timeout_ms), {}, 0, 0};
      if (periodic && now >= next_poll) {
        if (auto t = check_periodic(src)) return *t;
        if (probe_) {
          probed_.push_back({Clock::now(), probe_->sample()});
          while (probed_.size() > 2) probed_.pop_front();
          if (auto t = check_conditions(probed_)) return *t;
          if (condition_error_) return *condition_error_;
        }
        next_poll = now + poll_every;
      }
      if (sampling && now >= next_sample) {
        auto r = session_->capture();
        if (r) {
          keep(std::move(*r));
          if (auto t = probe_ ? std::nullopt : check_conditions(kept_)) return *t;
          if (condition_error_) return *condition_error_;
        }
        next_sample = Clock::now() + sample_every;
      }
      // Sleep until the next duty, or until the pidfd says the loader exited.
      std::optional<Clock::time_point> wake = deadline;
      auto earlier = [&](Clock::time_point t) { wake = wake ? std::min(*wake, t) : t; };
      if (periodic) earlier(next_poll);
      if (sampling) earlier(next_sample);
      int timeout = -1;
      if (wake)
        timeout = static_cast<int>(std::clamp<std::int64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(*wake - Clock::now()).count(), 0, 60'000));
      else if (o_.stop)
        timeout = 1000;  // a signal interrupts poll(); this is a backstop
      pollfd p{pidfd_.valid() ? pidfd_.get() : -1, POLLIN, 0};
      const int n = ::poll(&p, pidfd_.valid() ? 1 : 0, timeout);
      if (n > 0 && (p.revents & (POLLIN | POLLHUP)))
        return CaptureTrigger{"pid-exit", fmt::format("pid {} exited", *o_.wait_pid), {}, 0, 0};
      if (n < 0 && errno != EINTR)
        return Error(ErrorCode::Io, fmt::format("waiting: poll: {}", std::strerror(errno)));
    }
  }

  Result<OnExitResult> fire(CaptureTrigger t) {
    const auto seen = Clock::now();
    t.fired_at = capture_detail::utc_now();
    t.armed_ms = ms_between(armed_at_, seen);
    // The stop flag fired the trigger: the capture itself must not be cut.
    session_->options().cancel = nullptr;
    const auto start = Clock::now();
    t.event_to_capture_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(start - seen).count());
    SCXSNAP_TRY(FailureDumpReport late, session_->capture());
    if (!late.active_obj_name) late.active_obj_name = active_obj_;
    if (late.capture) late.capture->trigger = t;
    OnExitResult out;
    out.trigger = t;
    out.held_map_ids = held_ids_;
    if (!o_.keep_last) {
      out.dump = std::move(late);
      return out;
    }
    DualFailureDumpReport dual;
    dual.late = std::move(late);
    const auto min_age = std::chrono::milliseconds(o_.early_ms);
    for (auto it = kept_.rbegin(); it != kept_.rend(); ++it)
      if (start - it->at >= min_age) {
        dual.early = std::move(it->report);
        break;
      }
    if (!dual.early)
      dual.early_skipped_reason =
          kept_.empty() ? std::string("no sample was kept before the trigger")
                        : fmt::format(
                              "no kept sample was at least {} ms old ({} kept, the oldest "
                              "{} ms old)",
                              o_.early_ms, kept_.size(), ms_between(kept_.front().at, start));
    out.dump = std::move(dual);
    return out;
  }

  const OnExitOptions& o_;
  std::vector<Condition> conditions_;
  std::optional<CaptureSession> session_;
  std::vector<Fd> held_;
  std::vector<std::uint32_t> held_ids_, struct_ops_, watched_links_;
  std::optional<std::string> active_obj_;
  Fd pidfd_;
  ScxState scx_;
  std::deque<Kept> kept_;
  std::unique_ptr<trigger_detail::GlobalsProbe> probe_;
  std::deque<Kept> probed_;  // the probe's newest two samples
  std::optional<Error> condition_error_;
  Clock::time_point armed_at_;
};

}  // namespace

Result<OnExitResult> capture_on_exit(const OnExitOptions& options) {
  if (options.capture.replay_kernel || options.capture.record_kernel)
    return Error(ErrorCode::InvalidArgument,
                 "--on-exit holds the live kernel's maps: it cannot record or replay a tape");
  if (options.keep_last && options.interval_ms == 0)
    return Error(ErrorCode::InvalidArgument, "--keep-last needs an --interval-ms above 0");
  return detail::guarded("a failure capture",
                         [&]() -> Result<OnExitResult> { return Armed(options).run(); });
}

}  // namespace scxsnap
