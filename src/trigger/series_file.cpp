// SPDX-License-Identifier: Apache-2.0
// Series files of either kind (scxsnap/series_file.hpp).
#include "scxsnap/series_file.hpp"

#include <fmt/format.h>

namespace scxsnap {

Result<SampleSeries> load_any_series(const std::filesystem::path& path,
                                     const NativeSelection& sel) {
  if (!is_native_snapshot(path)) return SampleSeries::load_jsonl(path);
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(path));
  if (!snap.is_series())
    return Error(ErrorCode::BadInput,
                 fmt::format("{}: a single native snapshot, not a series", path.string()));
  std::vector<SampleRow> rows;
  rows.reserve(snap.sample_count());
  for (std::size_t k = 0; k < snap.sample_count(); ++k) {
    SampleRow row;
    row.tag = snap.sample_tag(k);
    row.elapsed_ms = snap.sample_elapsed_ms(k);
    SCXSNAP_TRY(row.report, snap.load_sample(k, sel));
    rows.push_back(std::move(row));
  }
  return SampleSeries(std::move(rows));
}

Result<SampleSeries> load_series_for(const std::filesystem::path& path,
                                     std::span<const Expectation> exprs) {
  ExpectationNeeds needs = expectation_needs(exprs);
  NativeSelection sel;
  sel.maps = std::move(needs.maps);
  sel.vars = std::move(needs.vars);
  return load_any_series(path, sel);
}

}  // namespace scxsnap
