// SPDX-License-Identifier: Apache-2.0
// Independent zstd frames: every stored piece of a native snapshot is one, so
// any piece can be read without the others.
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace scxsnap::native {

class FrameCompressor {
 public:
  explicit FrameCompressor(int level);
  /// One frame holding `raw` (its size recorded in the frame header), into `out`.
  Result<void> compress(std::span<const std::uint8_t> raw, std::string& out);

 private:
  struct Free {
    void operator()(void* c) const;
  };
  std::unique_ptr<void, Free> cctx_;
  int level_;
};

/// Whether `frame` can hold `raw_size` bytes (its blocks bound what it
/// decompresses to): checked before anything is allocated for it.
Result<void> check_frame(std::span<const std::uint8_t> frame, std::uint64_t raw_size,
                         const std::string& what);

/// Decompress one frame that must hold exactly `raw_size` bytes into `out`
/// (`what` names it in errors: "map 3 frame 2 at offset 4096").
Result<void> decompress_frame(std::span<const std::uint8_t> frame, std::uint64_t raw_size,
                              std::uint8_t* out, const std::string& what);

}  // namespace scxsnap::native
