// SPDX-License-Identifier: Apache-2.0
// A series from either file `watch` writes: JSON Lines, or a native series
// (decided by content), read whole or only as far as assertions need.
#pragma once

#include "scxsnap/expect.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/sample_series.hpp"

#include <span>
#include <string>

namespace scxsnap::cli {

/// JSON Lines, or a native series whose samples render as `sel` asks (a
/// single snapshot is an error that says so).
Result<SampleSeries> load_series(const std::string& path, const NativeSelection& sel = {});
/// Of a native series, only what `exprs` name (expectation_needs); JSON
/// Lines are read whole.
Result<SampleSeries> load_series_for(const std::string& path, std::span<const Expectation> exprs);

}  // namespace scxsnap::cli
