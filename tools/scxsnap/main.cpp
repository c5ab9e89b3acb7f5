// SPDX-License-Identifier: Apache-2.0
// scxsnap: capture, inspect and convert snapshots of BPF scheduler state.
#include "commands.hpp"
#include "report/nearest_names.hpp"
#include "scxsnap/version.hpp"

#include <algorithm>
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
  add_metrics(app, exit_code);
  add_serve(app, exit_code);
  // A word that is no subcommand: say which one was meant.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::string near;  // only names a typo away
      const std::string_view word = argv[1];
      for (const auto& n : scxsnap::detail::nearest_names(word, names, 2))
        if (scxsnap::detail::edit_distance(word, n) <= std::max<std::size_t>(2, word.size() / 3))
          near += (near.empty() ? " (did you mean " : " or ") + n;
      if (!near.empty()) near += "?)";
      std::string all;
      for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
      std::fprintf(stderr, "scxsnap: '%s' is not a command%s; commands: %s\n", argv[1],
                   near.c_str(), all.c_str());
      return kBadInput;
    }
  }
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
