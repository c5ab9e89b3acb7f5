// SPDX-License-Identifier: Apache-2.0
// SIGINT/SIGTERM as a stop request: the first one sets a flag the capture
// polls (it then completes a valid, truncated report); a second one restores
// the default action, so a stuck process can still be killed.
#pragma once

#include <atomic>

namespace scxsnap::cli {

class StopSignal {
 public:
  /// Installs the handlers (sigaction, no SA_RESTART) until destroyed.
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  const std::atomic<bool>& flag() const;
  bool requested() const { return flag().load(); }
  /// The signal that asked (0 = none).
  int signal_number() const;
};

}  // namespace scxsnap::cli
