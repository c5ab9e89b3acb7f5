// SPDX-License-Identifier: Apache-2.0
// Printing Snapshot results for the var and map commands, and narrowing a
// report to one object or one map before a lookup.
#pragma once

#include "scxsnap/dump_file.hpp"
#include "scxsnap/native.hpp"
#include "scxsnap/snapshot.hpp"

#include <optional>
#include <string>

namespace scxsnap::cli {

struct OutputStyle {
  bool json = false;  ///< rendered values as JSON
  bool raw = false;   ///< char arrays as their elements, not as C strings
};

/// Which maps a var/map lookup may see: --obj NAME|btf:ID, --map-id ID.
struct MapScope {
  std::string obj;
  std::optional<std::uint32_t> map_id;
  bool empty() const { return obj.empty() && !map_id; }
};

/// Load FILE (a report, or a dual dump: its late half, or the early one on
/// request; or a native snapshot, rendering what `sel` asks for) for a
/// lookup. On failure prints why and sets `exit_code`: 2 for a file that
/// cannot be read as a dump (a series says so), 1 for a dump without that
/// report (degraded, or a dual dump without its early half).
std::optional<FailureDumpReport> load_walkable(const std::string& file, DumpHalf half,
                                               int& exit_code, const NativeSelection& sel = {});
/// The same for distinct halves of one file, read once (in `halves` order).
std::optional<std::vector<FailureDumpReport>> load_walkable(const std::string& file,
                                                            std::initializer_list<DumpHalf> halves,
                                                            int& exit_code,
                                                            const NativeSelection& sel = {});

/// Drop every map outside `scope` from `report`; an error when none is left.
Result<void> narrow_report(FailureDumpReport& report, const MapScope& scope);

/// Print a lookup error the way a CLI user needs it: long "available" lists
/// cut (nearest names first, with the count of the rest) and, for an
/// ambiguity, the --map-id/--obj flags that resolve it. Returns the exit
/// code: 2 for a malformed request, 1 for absence.
int snapshot_error_exit(const SnapshotError& e, const FailureDumpReport* report = nullptr);
/// Print a field's value (display text, or JSON) or its error; returns the exit code.
int print_field(const SnapshotField& f, const OutputStyle& style, std::string_view prefix = {},
                const FailureDumpReport* report = nullptr);
/// When global `var` (rendered as `v`) comes from a section the render budget
/// cut and `v` itself was cut (an array short of its declared length): the
/// note that says so, for stderr. A native snapshot renders such a variable
/// on its own and marks it `truncated` itself.
std::optional<std::string> cut_section_note(const FailureDumpReport& r, std::string_view var,
                                            const RenderedValue& v);
/// Text of one rendered value in `style`.
std::string value_text(const RenderedValue& v, const OutputStyle& style);

}  // namespace scxsnap::cli
