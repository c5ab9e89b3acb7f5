// SPDX-License-Identifier: Apache-2.0
// The pages `scxsnap report` writes: one for a report, one for a series.
#pragma once

#include "scxsnap/diff.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace scxsnap::cli {

/// The object tree (objects -> maps -> values), per-CPU maps as bars across
/// CPUs, sizes, caps, errors and *_unavailable reasons. Hash maps show their
/// first `max_entries` entries (and how many there are).
std::string report_html(const FailureDumpReport& r, const std::string& source,
                        std::size_t max_entries);

/// Numeric globals over time, rates for counters, phases, gaps, per-CPU heat
/// maps, and the assertions `expects` with their verdicts. `only_expected`:
/// plot only the globals and maps the assertions name.
Result<std::string> series_html(const SampleSeries& series, const std::string& source,
                                const std::vector<Expectation>& expects,
                                bool only_expected = false);

/// The changes from `from` to `to`, grouped by map, the change highlighted.
std::string diff_html(const std::vector<Change>& changes, const std::string& from,
                      const std::string& to);

}  // namespace scxsnap::cli
