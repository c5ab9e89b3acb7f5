// SPDX-License-Identifier: Apache-2.0
// A native snapshot opened for reading: the ELF container mapped read-only,
// the index parsed, the report skeleton and the BTF read when first asked
// for, and each map's frames decompressed only when that map is looked at.
#pragma once

#include "elf_container.hpp"
#include "native_index.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/report.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct btf;

namespace scxsnap::native {

/// One sample of the file: a view that shares the mapped file, its index
/// and its caches with every other view of the same file (at() makes one).
/// The caches (BTF, renderers, a series' last contents) are filled on first
/// use: one caller at a time per file (NativeSnapshot serialises its calls).
class NativeFile {
 public:
  using Bytes = std::span<const std::uint8_t>;
  static Result<NativeFile> open(const std::filesystem::path& path);
  NativeFile(NativeFile&&) noexcept;
  NativeFile(const NativeFile&);
  ~NativeFile();

  const Index& index() const;
  /// The same file, looking at sample `sample` (a single snapshot has one).
  NativeFile at(std::size_t sample) const;
  const std::vector<MapIndex>& maps() const;
  const std::filesystem::path& path() const;
  /// The report as captured, every map without its raw contents.
  Result<FailureDumpReport> read_skeleton() const;
  /// fn(raw bytes, frame) for each frame of map `i`, in order.
  Result<void> for_each_frame(std::size_t i,
                              const std::function<Result<void>(Bytes, const Frame&)>& fn) const;
  /// Bytes [offset, offset + len) of map `i`'s single value: only the frames
  /// that hold them are decompressed.
  Result<std::vector<std::uint8_t>> value_range(std::size_t i, std::uint64_t offset,
                                                std::uint64_t len) const;
  /// The renderer over the file's BTF (parsed on first use).
  Result<BtfRenderer*> renderer(std::uint32_t max_array_elements) const;
  /// Map `i` of sample `sample` as one buffer, a series' changes applied.
  Result<std::vector<std::uint8_t>> materialize(std::size_t sample, std::size_t i) const;
  const struct btf* btf() const;
  /// "FILE: map 3 (name)" for errors.
  std::string where(std::size_t i) const;

 private:
  struct Core;
  NativeFile(std::shared_ptr<Core> core, std::size_t sample);
  Result<std::vector<std::uint8_t>> frames_of(std::size_t sample, std::size_t i) const;
  std::shared_ptr<Core> core_;
  std::size_t sample_ = 0;
};

}  // namespace scxsnap::native
