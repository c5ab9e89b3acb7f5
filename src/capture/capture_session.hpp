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
  std::uint32_t max_array_elements = 0;  // the cache's renderers were made with it
  /// What may not change after open() has not.
  Result<void> check() const {
    if (options.max_array_elements != max_array_elements)
      return Error(ErrorCode::InvalidArgument,
                   "a capture session's max_array_elements is fixed when it opens");
    return {};
  }
};

}  // namespace scxsnap
