// SPDX-License-Identifier: Apache-2.0
// A report told in short text, as `scxsnap show`, `map` and the HTML pages
// tell it: one-line descriptions of values and map contents, the contents of
// the map kinds that have no entries to walk, arrays kept shorter than
// declared, and the host-context reasons that are set.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <optional>
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

/// A sched_ext scheduler's exit information (its `user_exit_info`, the
/// `uei` global that UEI_DEFINE declares, with the `uei_dump` buffer of its
/// `.data.uei_dump` section), read through the report's BTF-rendered values:
/// no offsets assumed.
struct SCXSNAP_API ExitInfo {
  std::int64_t kind = 0;
  std::string kind_name;  ///< sched_ext's enum scx_exit_kind name, or empty
  std::int64_t exit_code = 0;
  std::string reason, msg;
  std::string dump;  ///< the scheduler's ops.dump text, if any
};
/// The active object's `uei` (or the one object's that has one); none when
/// no object has one or it is not the struct UEI_DEFINE makes.
SCXSNAP_API std::optional<ExitInfo> exit_info(const FailureDumpReport& r);
/// "exit: kind 1025 (SCX_EXIT_ERROR_BPF) code 0", "reason: ...", "msg: ...",
/// then the dump's lines.
SCXSNAP_API std::vector<std::string> exit_info_lines(const ExitInfo& e);

}  // namespace scxsnap
