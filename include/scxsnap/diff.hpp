// SPDX-License-Identifier: Apache-2.0
// What changed between two reports: maps added or removed, global variables
// and hash/array entries changed (old → new, with the numeric delta), entries
// added or removed by key, per-CPU slots changed, per-CPU time and
// event-counter deltas. Maps pair up by name (the k-th copy with the k-th).
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace scxsnap {

struct SCXSNAP_API Change {
  enum class Kind { MapAdded, MapRemoved, ValueChanged, EntryAdded, EntryRemoved, HostDelta };
  Kind kind;
  std::string where;  ///< "scx.bss nr_dispatched", "task_map[key 42] runtime_ns", "per_cpu_time cpu
                      ///< 0 cpustat_user_ns": map, key and field together
  /// An entry added or removed: its value (new or old); a change: both.
  std::string old_value, new_value;
  std::optional<std::string> delta;  ///< "+120" / "-3" for integers, "+0.5" for floats
  std::string map;                   ///< the map ("" for host counters)
  std::optional<std::string> key;    ///< the entry's key, for entries of keyed maps
  std::string field;                 ///< the path inside the value ("cpu 3 nr", "" = all of it)
};

SCXSNAP_API std::vector<Change> diff_reports(const FailureDumpReport& before,
                                             const FailureDumpReport& after);
/// One line per change, as `scxsnap diff` prints them (values of added and
/// removed entries cut to 400 bytes; the JSON has them whole).
SCXSNAP_API std::string format_changes(const std::vector<Change>& changes);
SCXSNAP_API std::string changes_to_json(const std::vector<Change>& changes);

}  // namespace scxsnap
