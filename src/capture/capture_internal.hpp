// SPDX-License-Identifier: Apache-2.0
// The capture entry points over any KernelSource (tests inject faults here).
#pragma once

#include "capture_cache.hpp"
#include "kernel_source.hpp"
#include "native/native_writer.hpp"
#include "scxsnap/capture.hpp"

namespace scxsnap::capture_detail {

/// Now, as RFC 3339 UTC (`capture.captured_at`, a trigger's `fired_at`).
std::string utc_now();

Result<FailureDumpReport> capture_model(const CaptureOptions& options, KernelSource& src);
Result<CaptureSummary> capture_stream(const CaptureOptions& options, KernelSource& src,
                                      const JsonSink& sink, JsonStyle style);
/// A native snapshot at `path` (tests choose the writer's frame sizes).
Result<CaptureSummary> capture_native_to(const CaptureOptions& options, KernelSource& src,
                                         const std::filesystem::path& path,
                                         const native::WriterOptions& wo);
/// One sample of a native series into `w`.
Result<CaptureSummary> capture_native_sample(const CaptureOptions& options, KernelSource& src,
                                             native::NativeWriter& w, std::string tag,
                                             std::uint64_t elapsed_ms);
/// The whole text in one string (no sink, no flushes).
Result<std::string> capture_text(const CaptureOptions& options, KernelSource& src, JsonStyle style);

// The same, sharing a session's cache (capture_cache.hpp) with the captures
// before and after: the options must be the same for every capture of it.
Result<FailureDumpReport> capture_model(const CaptureOptions& options, CaptureCache& cache);
Result<CaptureSummary> capture_stream(const CaptureOptions& options, CaptureCache& cache,
                                      const JsonSink& sink, JsonStyle style);
Result<std::string> capture_text(const CaptureOptions& options, CaptureCache& cache,
                                 JsonStyle style);
Result<CaptureSummary> capture_native_sample(const CaptureOptions& options, CaptureCache& cache,
                                             native::NativeWriter& w, std::string tag,
                                             std::uint64_t elapsed_ms);

}  // namespace scxsnap::capture_detail
