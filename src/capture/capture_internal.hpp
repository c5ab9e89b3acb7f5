// SPDX-License-Identifier: Apache-2.0
// The capture entry points over any KernelSource (tests inject faults here).
#pragma once

#include "kernel_source.hpp"
#include "native/native_writer.hpp"
#include "scxsnap/capture.hpp"

namespace scxsnap::capture_detail {

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

}  // namespace scxsnap::capture_detail
