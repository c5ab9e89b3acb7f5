// SPDX-License-Identifier: Apache-2.0
// MappedFile (mapped_file.hpp).
#include "mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace scxsnap::detail {

std::optional<MappedFile> MappedFile::open(const std::filesystem::path& path,
                                           std::size_t min_size) {
  if (path == "-") return std::nullopt;
  // stat before open (see the header).
  struct stat pre {};
  if (::stat(path.c_str(), &pre) != 0 || !S_ISREG(pre.st_mode)) return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
      static_cast<std::size_t>(st.st_size) < min_size) {
    ::close(fd);
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return std::nullopt;
  ::madvise(p, size, MADV_NORMAL);
  return MappedFile(static_cast<const char*>(p), size);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(o.data_), size_(o.size_), released_(o.released_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::consumed(std::size_t offset) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t end = offset / page * page;
  if (end > released_ + (std::size_t{8} << 20)) {
    ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
    released_ = end;
  }
}

}  // namespace scxsnap::detail
