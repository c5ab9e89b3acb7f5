// SPDX-License-Identifier: Apache-2.0
#include "snapshot_output.hpp"

#include "commands.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace scxsnap::cli {

int snapshot_error_exit(const SnapshotError& e) {
  std::fprintf(stderr, "scxsnap: %s\n", e.message().c_str());
  return e.is<errors::EmptyPathComponent>() ? kBadInput : kAbsent;
}

int print_field(const SnapshotField& f, bool json, std::string_view prefix) {
  if (const SnapshotError* e = f.error()) return snapshot_error_exit(*e);
  std::string text;
  if (const RenderedValue* v = f.raw())
    text = json ? to_json(*v) : v->display();
  else
    text = std::to_string(f.as_u64().value_or(0));  // a per-CPU array key
  fmt::print("{}{}\n", prefix, text);
  return kOk;
}

}  // namespace scxsnap::cli
