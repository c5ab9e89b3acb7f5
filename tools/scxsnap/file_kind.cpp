// SPDX-License-Identifier: Apache-2.0
#include "file_kind.hpp"

#include "scxsnap/native.hpp"

#include <fstream>
#include <sys/stat.h>

namespace scxsnap::cli {

FileKind sniff_file_kind(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return FileKind::Unknown;
  if (is_native_snapshot(path)) {
    auto snap = NativeSnapshot::open(path);
    if (!snap) return FileKind::Unknown;
    return snap->is_series() ? FileKind::Series : FileKind::Report;
  }
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t i = head.find_first_not_of(" \t\r\n");
  if (i == std::string::npos || head[i] != '{') return FileKind::Unknown;
  // A series line starts with its tag; a report with its schema.
  std::size_t tag = head.find("\"tag\"", i), schema = head.find("\"schema\"", i);
  if (tag != std::string::npos && (schema == std::string::npos || tag < schema))
    return FileKind::Series;
  if (schema != std::string::npos) return FileKind::Report;
  return FileKind::Unknown;
}

std::string kind_hint(const std::string& path, FileKind expected) {
  FileKind k = sniff_file_kind(path);
  if (k == FileKind::Series && expected == FileKind::Report)
    return " (this file is a series of reports from `scxsnap watch`: use `scxsnap check` on it, "
           "or `scxsnap diff SERIES --from TAG --to TAG`)";
  if (k == FileKind::Report && expected == FileKind::Series)
    return " (this file is a single report, not a series: use `scxsnap show`, `var` or `map` "
           "on it; `scxsnap watch` records series)";
  return {};
}

}  // namespace scxsnap::cli
