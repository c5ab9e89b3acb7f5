// SPDX-License-Identifier: Apache-2.0
// The ELF container of a native snapshot: written as a stream (sections one
// after the other, the section table and the ELF header completed last), and
// read through a read-only mapping with every offset checked against the
// file. An ELF file because the field's tools read its `.BTF` section
// (`bpftool btf dump file`, libbpf's btf__parse); libelf is not used for
// writing because it wants every section in memory before it writes.
#pragma once

#include "report/files/mapped_file.hpp"
#include "scxsnap/output_file.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::native {

class ElfWriter {
 public:
  /// A regular file only: the header is written last, in place.
  static Result<ElfWriter> create(const std::filesystem::path& path);
  std::uint64_t offset() const { return out_.bytes_written(); }
  Result<void> write(std::string_view bytes) { return out_.write(bytes); }
  Result<void> pad_to(std::uint64_t align);
  /// Name bytes [offset, offset + size) already written as one section.
  void add_section(std::string name, std::uint32_t type, std::uint64_t offset, std::uint64_t size,
                   std::uint64_t align);
  /// The section names, the section table, the header; then into place.
  Result<void> finish();
  const std::filesystem::path& path() const { return out_.path(); }

 private:
  explicit ElfWriter(OutputFile out) : out_(std::move(out)) {}
  struct Section {
    std::string name;
    std::uint32_t type;
    std::uint64_t offset, size, align;
  };
  OutputFile out_;
  std::vector<Section> sections_;
};

class ElfReader {
 public:
  using Bytes = std::span<const std::uint8_t>;
  static Result<ElfReader> open(const std::filesystem::path& path);
  /// Whether the first bytes are an ELF header's.
  static bool looks_like_elf(std::string_view first_bytes);
  /// The section's bytes, or nullopt when the file has no such section.
  std::optional<Bytes> section(std::string_view name) const;
  /// The section's offset in the file (for error messages).
  std::uint64_t offset_of(Bytes section) const {
    return static_cast<std::uint64_t>(section.data() - data());
  }
  std::uint64_t size() const { return file_.text().size(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  ElfReader(std::filesystem::path p, detail::MappedFile f)
      : path_(std::move(p)), file_(std::move(f)) {}
  const std::uint8_t* data() const {
    return reinterpret_cast<const std::uint8_t*>(file_.text().data());
  }
  struct Section {
    std::string name;
    std::uint64_t offset, size;
  };
  std::filesystem::path path_;
  detail::MappedFile file_;
  std::vector<Section> sections_;
};

}  // namespace scxsnap::native
