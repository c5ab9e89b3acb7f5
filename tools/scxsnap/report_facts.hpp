// SPDX-License-Identifier: Apache-2.0
// Facts about a report that more than one view shows (`show`, `report`):
// one-line descriptions of values and map contents, arrays kept shorter than
// declared, and the host-context reasons that are set.
#pragma once

#include "scxsnap/report.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace scxsnap::cli {

/// "struct task_ctx (5 members)", "array[16]", "uint 42", ...
std::string describe_value(const RenderedValue& v);
/// "value: ...; 12 entries; error: ..." or "(empty)".
std::string describe_content(const FailureDumpMap& m);

/// Arrays that kept fewer elements than declared (the array cap), per path
/// ([] stands for any index; `places` counts the copies).
struct Capped {
  std::uint64_t declared = 0, kept = 0, places = 0;
};
struct CappedRow {
  const FailureDumpMap* map;
  std::string path;
  Capped c;
};
std::vector<CappedRow> capped_arrays(const FailureDumpReport& r);

/// The *_unavailable reasons that are set: (field name without the suffix, reason).
std::vector<std::pair<std::string, const std::string*>> unavailable_reasons(
    const FailureDumpReport& r);

}  // namespace scxsnap::cli
