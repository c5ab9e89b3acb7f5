// SPDX-License-Identifier: Apache-2.0
// A report told in short text, as `scxsnap show`, `map` and the HTML pages
// tell it: one-line descriptions of values and map contents, the contents of
// the map kinds that have no entries to walk, arrays kept shorter than
// declared, and the host-context reasons that are set.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace scxsnap {

/// "struct task_ctx (5 members)", "array[16]", "uint 42", ...
SCXSNAP_API std::string describe_value(const RenderedValue& v);
/// "value: ...; 12 entries; error: ..." or "(empty)".
SCXSNAP_API std::string describe_content(const FailureDumpMap& m);

/// One line per item of `m`'s contents that are not entries (ring buffer
/// positions, stack traces, program/map array slots, arena pages; JSON
/// objects with `json`); empty when the map has none of them. Inner maps of
/// a map of maps are named when `report` holds them too.
SCXSNAP_API std::vector<std::string> special_contents(const FailureDumpMap& m, bool json,
                                                      const FailureDumpReport& report);

/// Arrays that kept fewer elements than declared (the array cap), per path
/// ([] stands for any index; `places` counts the copies).
struct SCXSNAP_API Capped {
  std::uint64_t declared = 0, kept = 0, places = 0;
};
struct SCXSNAP_API CappedRow {
  const FailureDumpMap* map;
  std::string path;
  Capped c;
};
SCXSNAP_API std::vector<CappedRow> capped_arrays(const FailureDumpReport& r);

/// The *_unavailable reasons that are set: (field name without the suffix, reason).
SCXSNAP_API std::vector<std::pair<std::string, const std::string*>> unavailable_reasons(
    const FailureDumpReport& r);

}  // namespace scxsnap
