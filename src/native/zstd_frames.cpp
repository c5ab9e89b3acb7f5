// SPDX-License-Identifier: Apache-2.0
#include "zstd_frames.hpp"

#include <fmt/format.h>
// ZSTD_decompressBound (zstd >= 1.4.0) is in the header's "experimental"
// part, though the shared library exports it: it bounds what a frame can
// decompress to, so a forged size is refused before anything is allocated.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

namespace scxsnap::native {

void FrameCompressor::Free::operator()(void* c) const {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(c));
}

FrameCompressor::FrameCompressor(int level) : cctx_(ZSTD_createCCtx()), level_(level) {
  auto* c = static_cast<ZSTD_CCtx*>(cctx_.get());
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level_);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);  // a flipped bit is an error, not a value
}

Result<void> FrameCompressor::compress(std::span<const std::uint8_t> raw, std::string& out) {
  auto* c = static_cast<ZSTD_CCtx*>(cctx_.get());
  if (!c) return Error(ErrorCode::Internal, "zstd: cannot create a compression context");
  const std::size_t at = out.size();
  std::size_t n = 0;
  // Room for the worst case, never zero-filled: zstd writes what it keeps.
  out.resize_and_overwrite(at + ZSTD_compressBound(raw.size()), [&](char* p, std::size_t size) {
    n = ZSTD_compress2(c, p + at, size - at, raw.data(), raw.size());
    return ZSTD_isError(n) ? at : at + n;
  });
  if (ZSTD_isError(n))
    return Error(ErrorCode::Internal, fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  return {};
}

Result<void> check_frame(std::span<const std::uint8_t> frame, std::uint64_t raw_size,
                         const std::string& what) {
  unsigned long long bound = ZSTD_decompressBound(frame.data(), frame.size());
  if (bound == ZSTD_CONTENTSIZE_ERROR)
    return Error(ErrorCode::BadInput, fmt::format("{}: not a zstd frame", what));
  if (raw_size > bound)
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: the index says it holds {} bytes; its {} bytes hold at most {}",
                             what, raw_size, frame.size(), bound));
  return {};
}

Result<void> decompress_frame(std::span<const std::uint8_t> frame, std::uint64_t raw_size,
                              std::uint8_t* out, const std::string& what) {
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN)
    return Error(ErrorCode::BadInput, fmt::format("{}: not a zstd frame", what));
  if (declared != raw_size)
    return Error(ErrorCode::BadInput, fmt::format("{}: the frame holds {} bytes, the index says {}",
                                                  what, declared, raw_size));
  std::size_t n = ZSTD_decompress(out, raw_size, frame.data(), frame.size());
  if (ZSTD_isError(n))
    return Error(ErrorCode::BadInput, fmt::format("{}: {}", what, ZSTD_getErrorName(n)));
  if (n != raw_size)
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: decompressed to {} bytes, the index says {}", what, n, raw_size));
  return {};
}

}  // namespace scxsnap::native
