// SPDX-License-Identifier: Apache-2.0
// Which kind of scxsnap file a path holds, from its first bytes: so that a
// command given the other kind says so instead of failing on the schema.
#pragma once

#include <string>

namespace scxsnap::cli {

enum class FileKind { Report, Series, Unknown };

/// Looks at the first line only (never reads a FIFO: it would consume it).
FileKind sniff_file_kind(const std::string& path);

/// " (this file is a series ... use ...)" or "" when the kind is as expected.
std::string kind_hint(const std::string& path, FileKind expected);

}  // namespace scxsnap::cli
