// SPDX-License-Identifier: Apache-2.0
// The error of a failed file operation: what was done, on which path, and
// the errno's text; the code from the errno (permission, absent, or I/O).
#pragma once

#include "scxsnap/result.hpp"

#include <filesystem>
#include <string_view>

namespace scxsnap::detail {

Error file_error(std::string_view what, const std::filesystem::path& path, int err);

}  // namespace scxsnap::detail
