// SPDX-License-Identifier: Apache-2.0
// scxsnap: capture, inspect and convert snapshots of BPF scheduler state.
#include "commands.hpp"
#include "scxsnap/version.hpp"

#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <new>

namespace scxsnap::cli {

int report_error(const Error& err) {
  std::fprintf(stderr, "scxsnap: %s\n", err.message().c_str());
  switch (err.code()) {
    case ErrorCode::PermissionDenied:
    case ErrorCode::Unsupported:
      return kNoPermission;
    case ErrorCode::Internal:
      return kInternal;
    default:
      return kBadInput;
  }
}

int lookup_error(const Error& err) {
  int rc = report_error(err);
  return err.code() == ErrorCode::NotFound ? kAbsent : rc;
}

}  // namespace scxsnap::cli

int main(int argc, char** argv) {
  using namespace scxsnap::cli;
  CLI::App app{"scxsnap: snapshots of BPF scheduler state (ktstr-compatible JSON)", "scxsnap"};
  app.set_version_flag("--version", std::string(scxsnap::version()));
  app.require_subcommand(1);
  int exit_code = kOk;
  add_capture(app, exit_code);
  add_show(app, exit_code);
  add_var(app, exit_code);
  add_map(app, exit_code);
  add_convert(app, exit_code);
  add_watch(app, exit_code);
  add_check(app, exit_code);
  add_diff(app, exit_code);
  add_report(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kBadInput;
  } catch (const std::bad_alloc&) {
    std::fputs("scxsnap: out of memory\n", stderr);
    return kInternal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scxsnap: internal error: %s\n", e.what());
    return kInternal;
  }
  return exit_code;
}
