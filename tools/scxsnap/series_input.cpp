// SPDX-License-Identifier: Apache-2.0
#include "series_input.hpp"

#include "scxsnap/series_file.hpp"

namespace scxsnap::cli {

Result<SampleSeries> load_series(const std::string& path, const NativeSelection& sel) {
  return load_any_series(path, sel);
}

Result<SampleSeries> load_series_for(const std::string& path, std::span<const Expectation> exprs) {
  return scxsnap::load_series_for(std::filesystem::path(path), exprs);
}

}  // namespace scxsnap::cli
