// SPDX-License-Identifier: Apache-2.0
// An output file written as a stream and put in place atomically: the bytes
// go to a temporary file beside the target (mode 0600, created at once, so a
// bad path fails before any work), and only commit() renames it over the
// target. Destroyed uncommitted, it removes the temporary file: a failed or
// abandoned write never leaves a half-written file. "-" means stdout; an
// existing device, FIFO or socket is written in place.
#pragma once

#include "scxsnap/export.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace scxsnap {

/// Who may read a file written: captures hold kernel state and are the
/// owner's (0600); pages made for sharing follow the umask (0666 & ~umask).
enum class FileMode : std::uint8_t { Private, Shared };

class SCXSNAP_API OutputFile {
 public:
  static Result<OutputFile> create(const std::filesystem::path& path,
                                   FileMode mode = FileMode::Private);
  OutputFile(OutputFile&& o) noexcept;
  OutputFile& operator=(OutputFile&& o) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  Result<void> write(std::string_view bytes);
  /// Overwrite bytes already written (a header completed last). Only a
  /// regular file can: check seekable() first.
  Result<void> write_at(std::uint64_t offset, std::string_view bytes);
  /// A regular file (not stdout, a FIFO or a device).
  bool seekable() const { return !stdout_ && !special_; }
  /// Sync and rename into place (stdout: flush).
  Result<void> commit();
  /// Remove the temporary file now.
  void abandon();
  std::uint64_t bytes_written() const { return written_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  OutputFile() = default;
  std::filesystem::path path_;
  std::filesystem::path target_;  // path_ with symlinks resolved
  std::string tmp_;
  int fd_ = -1;
  bool stdout_ = false;
  bool special_ = false;  // not a regular file: written in place
  std::uint64_t written_ = 0;
};

}  // namespace scxsnap
