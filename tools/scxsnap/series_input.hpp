// SPDX-License-Identifier: Apache-2.0
// A series from either file `watch` writes: JSON Lines, or a native series
// (decided by content).
#pragma once

#include "scxsnap/sample_series.hpp"

#include <string>

namespace scxsnap::cli {

Result<SampleSeries> load_series(const std::string& path);

}  // namespace scxsnap::cli
