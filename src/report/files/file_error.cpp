// SPDX-License-Identifier: Apache-2.0
#include "file_error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::detail {

Error file_error(std::string_view what, const std::filesystem::path& path, int err) {
  const ErrorCode code = (err == EACCES || err == EPERM || err == EROFS)
                             ? ErrorCode::PermissionDenied
                         : err == ENOENT ? ErrorCode::NotFound
                                         : ErrorCode::Io;
  return Error(code, fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
}

}  // namespace scxsnap::detail
