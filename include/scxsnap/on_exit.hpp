// SPDX-License-Identifier: Apache-2.0
// Failure capture: arm, hold, trigger. A scheduler's state is gone the
// moment its loader exits (the kernel frees maps with their last fd), so a
// failure capture first takes the scheduler's maps (CaptureOptions' filters:
// --obj, --map, --map-id, or the active scheduler), holds a read-only fd of
// each — nothing they hold is freed while armed — and waits, without
// polling where the kernel can wake it, for the first of: the loader
// exiting (a pidfd), a held struct_ops map no longer registered through a
// link (the scheduler detached or failed), /sys/kernel/sched_ext/state
// leaving "enabled", a condition over the held maps in check's grammar, a
// stop request (a signal), a timeout. Then it captures the held maps at once
// and says what fired (capture.trigger). With keep_last, the last samples
// are kept in memory and the result is ktstr's dual dump (early + late).
//
// Link fds are never held: a held struct_ops link would keep the scheduler
// attached after its loader died. The link's detachment is seen by listing
// links every poll_ms instead.
#pragma once

#include "scxsnap/capture.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/export.hpp"
#include "scxsnap/result.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace scxsnap {

struct SCXSNAP_API OnExitOptions {
  /// What to hold and capture (filters and limits as for capture()).
  CaptureOptions capture;
  /// --wait-pid: the loader; its exit fires (through a pidfd: no polling).
  std::optional<pid_t> wait_pid;
  /// A held struct_ops map that stops being registered through a link fires.
  bool watch_struct_ops = true;
  /// /sys/kernel/sched_ext/state leaving "enabled" (or root/ops changing) fires.
  bool watch_sched_ext = true;
  /// --until: fires when this assertion (check's grammar) passes over the
  /// newest samples (the current one and, for patterns that compare
  /// consecutive samples, the one before).
  std::vector<std::string> until;
  /// --until-fails: fires when this assertion fails over the newest samples.
  std::vector<std::string> until_fails;
  /// How often conditions, links and sysfs state are looked at (ms).
  std::uint32_t poll_ms = 10;
  /// --timeout-s: fires "timeout" (0 = none).
  std::uint64_t timeout_ms = 0;
  /// --keep-last N: the last N samples, one every interval_ms, kept in memory;
  /// the result is then a dual dump (early = the newest sample at least
  /// early_ms old at the trigger).
  std::size_t keep_last = 0;
  std::uint32_t interval_ms = 100;
  std::uint64_t early_ms = 0;
  /// Set by a signal handler: fires "signal".
  const std::atomic<bool>* stop = nullptr;
  /// Told once the maps are held (what is held and watched), before waiting.
  std::function<void(const std::string& line)> armed;
};

struct SCXSNAP_API OnExitResult {
  FailureDumpFile dump;  ///< a single report, or a dual dump with keep_last
  CaptureTrigger trigger;
  std::vector<std::uint32_t> held_map_ids;
};

/// Arm, hold, wait, capture. Errors: nothing to hold (NotFound), a bad
/// expression (InvalidArgument), the kernel refusing (PermissionDenied).
SCXSNAP_API Result<OnExitResult> capture_on_exit(const OnExitOptions& options);

}  // namespace scxsnap
