// SPDX-License-Identifier: Apache-2.0
// The capture entry points over any MapSource (tests inject faults here).
#pragma once

#include "map_source.hpp"
#include "scxsnap/capture.hpp"

namespace scxsnap::capture_detail {

Result<FailureDumpReport> capture_model(const CaptureOptions& options, MapSource& src);
Result<CaptureSummary> capture_stream(const CaptureOptions& options, MapSource& src,
                                      const JsonSink& sink, JsonStyle style);

}  // namespace scxsnap::capture_detail
