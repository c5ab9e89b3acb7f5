// SPDX-License-Identifier: Apache-2.0
// A regular file mapped read-only for a single forward pass: the pages
// already parsed are dropped from memory as the reader moves on, so a large
// file costs no more resident memory than the piece being read.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

namespace scxsnap::detail {

class MappedFile {
 public:
  /// nullopt unless `path` is a regular, non-empty file at least
  /// `min_size` bytes long that can be mapped (the caller then reads it
  /// another way). Never opens anything but a regular file: opening a FIFO
  /// and closing it would swallow its writer.
  static std::optional<MappedFile> open(const std::filesystem::path& path, std::size_t min_size);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view text() const { return {data_, size_}; }
  /// Everything before `offset` has been read: drop it (in steps of 8 MiB).
  void consumed(std::size_t offset);

 private:
  MappedFile(const char* data, std::size_t size) : data_(data), size_(size) {}
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;
};

}  // namespace scxsnap::detail
