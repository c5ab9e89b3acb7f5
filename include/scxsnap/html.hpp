// SPDX-License-Identifier: Apache-2.0
// HTML pages of reports, series and differences (libscxsnap_html, CMake
// component `html`, depends on libscxsnap_core only): one self-contained
// file each, CSS and script inline, plots drawn as SVG here so the numbers
// in the page are the data's; `scxsnap report` and `diff --html` write them.
#pragma once

#include "scxsnap/diff.hpp"
#include "scxsnap/expect.hpp"
#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"
#include "scxsnap/sample_series.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace scxsnap::html {

/// A report: the object tree (objects -> maps -> values), per-CPU maps as
/// bars across CPUs, sizes, caps, errors and *_unavailable reasons. Hash
/// maps show their first `max_entries` entries (and how many there are).
/// `source` names the file in the page's title.
SCXSNAP_API std::string report_page(const FailureDumpReport& r, const std::string& source,
                                    std::size_t max_entries);

/// A series: numeric globals over time, rates for counters, phases, gaps,
/// per-CPU heat maps, and the assertions `expects` with their verdicts.
/// `only_expected`: plot only the globals and maps the assertions name.
SCXSNAP_API Result<std::string> series_page(const SampleSeries& series, const std::string& source,
                                            const std::vector<Expectation>& expects,
                                            bool only_expected = false);

/// The changes from `from` to `to`, grouped by map, the change highlighted.
SCXSNAP_API std::string diff_page(const std::vector<Change>& changes, const std::string& from,
                                  const std::string& to);

}  // namespace scxsnap::html
