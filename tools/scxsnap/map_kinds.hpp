// SPDX-License-Identifier: Apache-2.0
// Text of the map kinds that have no entries to walk: ring buffer positions,
// stack traces, program/map array slots, arena pages.
#pragma once

#include "scxsnap/report.hpp"

#include <string>
#include <vector>

namespace scxsnap::cli {

/// One line per item of `m`'s non-entry contents (JSON objects with `json`);
/// empty when the map has none of them. Inner maps of a map of maps are named
/// when `report` holds them too.
std::vector<std::string> special_contents(const FailureDumpMap& m, bool json,
                                          const FailureDumpReport& report);

}  // namespace scxsnap::cli
