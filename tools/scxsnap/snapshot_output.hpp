// SPDX-License-Identifier: Apache-2.0
// Printing Snapshot results for the var and map commands.
#pragma once

#include "scxsnap/snapshot.hpp"

namespace scxsnap::cli {

/// Exit code for a failed lookup: 2 for a malformed request, 1 for absence.
int snapshot_error_exit(const SnapshotError& e);
/// Print a field's value (display text, or JSON) or its error; returns the exit code.
int print_field(const SnapshotField& f, bool json, std::string_view prefix = {});

}  // namespace scxsnap::cli
