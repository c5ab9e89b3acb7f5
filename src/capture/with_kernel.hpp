// SPDX-License-Identifier: Apache-2.0
// The kernel a capture asks, as its options say: the live one, a recorder
// over it (the tape is committed only when the capture succeeds), or a tape.
#pragma once

#include "capture_internal.hpp"
#include "kernel_tape.hpp"
#include "scxsnap/capture.hpp"

#include <memory>
#include <utility>

namespace scxsnap::capture_detail {

template <class Fn>
auto with_kernel(const CaptureOptions& o, Fn&& fn) -> decltype(fn(std::declval<KernelSource&>())) {
  if (o.record_kernel && o.replay_kernel)
    return Error(ErrorCode::InvalidArgument,
                 "--record-kernel and --replay-kernel cannot be used together");
  if (o.replay_kernel) {
    SCXSNAP_TRY(std::unique_ptr<TapeReplayer> tape, TapeReplayer::open(*o.replay_kernel));
    return fn(static_cast<KernelSource&>(*tape));
  }
  if (o.record_kernel) {
    SCXSNAP_TRY(std::unique_ptr<TapeRecorder> rec,
                TapeRecorder::create(*o.record_kernel, system_kernel_source()));
    auto r = fn(static_cast<KernelSource&>(*rec));
    if (!r) return r;
    if (auto done = rec->finish(); !done)
      return Error(done.error().code(), "--record-kernel: " + done.error().message());
    return r;
  }
  return fn(system_kernel_source());
}

}  // namespace scxsnap::capture_detail
