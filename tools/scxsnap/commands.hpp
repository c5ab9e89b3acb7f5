// SPDX-License-Identifier: Apache-2.0
// One function per subcommand: each adds itself to the app and, when it runs,
// stores the process exit code (ARCHITECTURE §6: 0 ok, 1 absent/failed,
// 2 bad usage or input, 3 no permission or kernel support, 5 internal error
// or out of memory).
#pragma once

#include "scxsnap/result.hpp"

#include <CLI/CLI.hpp>

namespace scxsnap::cli {

enum Exit : int { kOk = 0, kAbsent = 1, kBadInput = 2, kNoPermission = 3, kInternal = 5 };

/// Print `err` on stderr ("scxsnap: ...") and map its code to an exit code.
int report_error(const Error& err);
/// The same for a lookup in a loaded report: NotFound (no such object, map
/// id) is absence, exit 1.
int lookup_error(const Error& err);

void add_convert(CLI::App& app, int& exit_code);
void add_show(CLI::App& app, int& exit_code);
void add_var(CLI::App& app, int& exit_code);
void add_map(CLI::App& app, int& exit_code);
void add_capture(CLI::App& app, int& exit_code);
void add_watch(CLI::App& app, int& exit_code);
void add_check(CLI::App& app, int& exit_code);
void add_diff(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);
void add_metrics(CLI::App& app, int& exit_code);
void add_serve(CLI::App& app, int& exit_code);

}  // namespace scxsnap::cli
