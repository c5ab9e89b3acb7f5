// SPDX-License-Identifier: Apache-2.0
// The finished samples of a long native series, kept on disk (an unlinked
// temporary file) until the index is written, so that a writer's memory does
// not grow with the samples it has taken: watch at 100 Hz for hours holds a
// few of them. The encoding is private to this file and this process.
#pragma once

#include "native_index.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace scxsnap::native {

/// A map's key and value types as BtfMerge handles (resolved when the
/// merged BTF is final).
using TypeHandles = std::pair<std::optional<std::uint32_t>, std::optional<std::uint32_t>>;

class IndexSpill {
 public:
  IndexSpill() = default;
  ~IndexSpill();
  IndexSpill(const IndexSpill&) = delete;
  IndexSpill& operator=(const IndexSpill&) = delete;

  /// Appends a finished sample and its maps' type handles.
  Result<void> put(const Sample& s, const std::vector<TypeHandles>& handles);
  std::uint64_t count() const { return count_; }
  /// Every sample put, in order, one at a time (memory: one sample).
  Result<void> for_each(
      const std::function<Result<void>(Sample&, std::vector<TypeHandles>&)>& fn) const;

 private:
  std::FILE* f_ = nullptr;
  std::uint64_t count_ = 0;
  std::string buf_;
};

}  // namespace scxsnap::native
