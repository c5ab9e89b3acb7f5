// SPDX-License-Identifier: Apache-2.0
// A series from a file of either kind: `watch`'s JSON Lines or a native
// series, told apart by content. (It needs both the series and the native
// layers: it lives with failure capture, the layer above both.)
#pragma once

#include "scxsnap/expect.hpp"
#include "scxsnap/export.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/sample_series.hpp"

#include <filesystem>
#include <span>

namespace scxsnap {

/// JSON Lines or a native series; a single native snapshot is an error
/// that says so. Of a native series only what `sel` asks for is rendered.
SCXSNAP_API Result<SampleSeries> load_any_series(const std::filesystem::path& path,
                                                 const NativeSelection& sel = {});
/// The same, reading only what the assertions `exprs` need.
SCXSNAP_API Result<SampleSeries> load_series_for(const std::filesystem::path& path,
                                                 std::span<const Expectation> exprs);

}  // namespace scxsnap
