// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/output_file.hpp"

#include "file_error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace scxsnap {
namespace {
// The process's umask, read without changing it (umask(2) only sets, and
// setting it is process-wide: another thread could create a file meanwhile).
mode_t current_umask() {
  std::FILE* f = std::fopen("/proc/self/status", "re");
  mode_t mask = 022;
  if (!f) return mask;
  char line[256];
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "Umask:", 6) == 0) {
      mask = static_cast<mode_t>(std::strtoul(line + 6, nullptr, 8) & 0777);
      break;
    }
  std::fclose(f);  // NOLINT(cert-err33-c): read-only
  return mask;
}

}  // namespace

Result<OutputFile> OutputFile::create(const std::filesystem::path& path, FileMode mode) {
  OutputFile f;
  f.path_ = path;
  if (path == "-") {
    f.stdout_ = true;
    f.fd_ = STDOUT_FILENO;
    return f;
  }
  std::filesystem::path target = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("cannot write {}: it is a directory", path.string()));
    if (!S_ISREG(st.st_mode)) {
      // A device, FIFO or socket (/dev/null, <(...)): written in place.
      int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return detail::file_error("cannot open", path, errno);
      f.fd_ = fd;
      f.special_ = true;
      return f;
    }
    // Through symlinks (/dev/stdout -> /proc/self/fd/1 -> the file): the
    // file they lead to is replaced, never the link itself.
    if (char* real = ::realpath(path.c_str(), nullptr)) {
      target = real;
      std::free(real);
    }
  }
  f.target_ = target;
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string name = ".";
  name += target.filename().string();
  name += ".tmp.XXXXXX";
  f.tmp_ = (dir / name).string();
  int fd = ::mkstemp(f.tmp_.data());
  if (fd < 0) {
    int e = errno;
    f.tmp_.clear();
    if (e == ENOENT)
      return Error(ErrorCode::Io, fmt::format("cannot write {}: directory {} does not exist",
                                              path.string(), dir.string()));
    return detail::file_error("cannot create a temporary file beside", path, e);
  }
  f.fd_ = fd;
  mode_t bits = 0600;
  if (mode == FileMode::Shared) {
    bits = 0666 & ~current_umask();
  }
  if (::fchmod(fd, bits) != 0)
    return detail::file_error(fmt::format("cannot set mode {:04o} on", bits), path, errno);
  return f;
}

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)),
      target_(std::move(o.target_)),
      tmp_(std::exchange(o.tmp_, {})),
      fd_(std::exchange(o.fd_, -1)),
      stdout_(o.stdout_),
      special_(o.special_),
      written_(o.written_) {}

OutputFile& OutputFile::operator=(OutputFile&& o) noexcept {
  if (this != &o) {
    abandon();
    path_ = std::move(o.path_);
    target_ = std::move(o.target_);
    tmp_ = std::exchange(o.tmp_, {});
    fd_ = std::exchange(o.fd_, -1);
    stdout_ = o.stdout_;
    special_ = o.special_;
    written_ = o.written_;
  }
  return *this;
}

OutputFile::~OutputFile() {
  abandon();
}

void OutputFile::abandon() {
  if (!stdout_ && fd_ >= 0) ::close(fd_);  // NOLINT(bugprone-unused-return-value)
  fd_ = -1;
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
}

Result<void> OutputFile::write(std::string_view bytes) {
  if (fd_ < 0) return Error(ErrorCode::Internal, "write to a closed output file");
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return detail::file_error("cannot write", stdout_ ? std::filesystem::path("<stdout>") : path_,
                                errno);
    }
    off += static_cast<std::size_t>(n);
  }
  written_ += bytes.size();
  return {};
}

Result<void> OutputFile::write_at(std::uint64_t offset, std::string_view bytes) {
  if (fd_ < 0) return Error(ErrorCode::Internal, "write to a closed output file");
  if (!seekable() || offset + bytes.size() > written_)
    return Error(ErrorCode::Internal, "write_at outside what was written, or not a regular file");
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n =
        ::pwrite(fd_, bytes.data() + off, bytes.size() - off, static_cast<off_t>(offset + off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return detail::file_error("cannot write", path_, errno);
    }
    off += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> OutputFile::commit() {
  if (stdout_) return {};
  if (special_) {
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return detail::file_error("cannot close", path_, errno);
    return {};
  }
  if (fd_ < 0) return Error(ErrorCode::Internal, "commit of a closed output file");
  if (::fsync(fd_) != 0) return detail::file_error("cannot sync", path_, errno);
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return detail::file_error("cannot close", path_, errno);
  if (::rename(tmp_.c_str(), target_.c_str()) != 0)
    return detail::file_error("cannot rename the temporary file to", path_, errno);
  tmp_.clear();
  return {};
}

}  // namespace scxsnap
