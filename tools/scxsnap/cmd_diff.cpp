// SPDX-License-Identifier: Apache-2.0
#include "commands.hpp"

namespace scxsnap::cli {

void add_diff(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace scxsnap::cli
