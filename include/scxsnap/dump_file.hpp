// SPDX-License-Identifier: Apache-2.0
// Every kind of failure dump ktstr writes: the single report, the dual one of
// its auto-repro VM (an early snapshot and the late one), and the degraded
// one left when the VM could not be frozen. `schema` tells them apart.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace scxsnap {

/// ktstr's DualFailureDumpReport (`"schema":"dual"`).
struct SCXSNAP_API DualFailureDumpReport {
  std::optional<FailureDumpReport> early;           // skip if none
  FailureDumpReport late;                           // required
  std::uint64_t early_max_age_jiffies = 0;          // skip if zero
  std::uint64_t early_threshold_jiffies = 0;        // skip if zero
  std::optional<std::string> early_skipped_reason;  // skip if none
  friend bool operator==(const DualFailureDumpReport&, const DualFailureDumpReport&) = default;
};

/// ktstr's DegradedFailureDumpReport (`"schema":"degraded"`): no maps.
struct SCXSNAP_API DegradedFailureDumpReport {
  std::string reason;                // required
  std::vector<JsonValue> vcpu_regs;  // opaque, skip if empty
  bool watchpoint_hit = false;       // required
  /// "triggered", "not_triggered", "out_of_bounds" or "not_resolved" (required).
  std::string bss_latch_state;
  std::optional<std::uint32_t> exit_kind;     // skip if none
  std::uint64_t elapsed_ms = 0;               // skip if zero
  FloatStyle float_style = FloatStyle::Zmij;  // not a field: as FailureDumpReport's
  friend bool operator==(const DegradedFailureDumpReport&,
                         const DegradedFailureDumpReport&) = default;
};

/// One dump file of any kind.
using FailureDumpFile =
    std::variant<FailureDumpReport, DualFailureDumpReport, DegradedFailureDumpReport>;

/// Parse a dump of any schema ("single", "dual", "degraded"); errors name
/// the JSON path (inside a dual dump: "late.maps[3]...").
SCXSNAP_API Result<FailureDumpFile> parse_dump_file(std::string_view json);
/// Read and parse a file ("-" = standard input); single reports of any size
/// go through load_report (read piecewise, bounded memory).
SCXSNAP_API Result<FailureDumpFile> load_dump_file(const std::filesystem::path& path);
/// serde_json's text of the dump (compact or pretty), byte for byte.
SCXSNAP_API std::string to_json(const FailureDumpFile& dump, JsonStyle style = JsonStyle::Compact);
/// Validate a dump and write it again (compact or pretty), as serde_json
/// writes it: byte for byte what was read when a serde_json wrote it, the
/// input's final newline mirrored. A single report in a regular file is
/// converted as it is read (memory stays at a few MB whatever its size);
/// other dumps and standard input are read whole. The output is written
/// atomically: on any error nothing is left at `out`.
SCXSNAP_API Result<void> convert_dump_file(const std::filesystem::path& in,
                                           const std::filesystem::path& out,
                                           JsonStyle style = JsonStyle::Compact);

/// Which half of a dual dump to look at.
enum class DumpHalf : std::uint8_t { Late, Early };

/// The report to walk: the single report, or the requested half of a dual
/// dump. NotFound for a degraded dump (it has no maps: the message gives its
/// reason) and for a dual dump without the early half (with why it is missing).
SCXSNAP_API Result<const FailureDumpReport*> report_of(const FailureDumpFile& dump,
                                                       DumpHalf half = DumpHalf::Late);
/// The same on a dump the caller owns (to move the report out).
SCXSNAP_API Result<FailureDumpReport*> report_of(FailureDumpFile& dump,
                                                 DumpHalf half = DumpHalf::Late);

}  // namespace scxsnap
