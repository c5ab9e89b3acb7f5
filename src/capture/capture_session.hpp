// SPDX-License-Identifier: Apache-2.0
// CaptureSession's state: its options, the kernel it asks (a tape it owns,
// or the live kernel) and the cache its captures share.
#pragma once

#include "capture_cache.hpp"
#include "kernel_tape.hpp"
#include "scxsnap/capture.hpp"

#include <memory>

namespace scxsnap {

struct CaptureSession::Impl {
  CaptureOptions options;
  std::unique_ptr<capture_detail::TapeReplayer> tape;  // when replaying
  std::unique_ptr<capture_detail::CaptureCache> cache;
};

}  // namespace scxsnap
