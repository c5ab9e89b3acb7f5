// SPDX-License-Identifier: Apache-2.0
// A byte buffer for the kernel to fill: never zero-filled, so pages the
// kernel does not write are never touched (a 4096-entry batch buffer of a
// large value costs only what the kernel returns); a large one is advised
// as huge pages (report/big_buffer.hpp).
#pragma once

#include "report/big_buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace scxsnap::capture_detail {

struct FreeBigBuffer {
  std::size_t n = 0;
  void operator()(std::uint8_t* p) const noexcept {
    detail::BigBufferAllocator<std::uint8_t>{}.deallocate(p, n);
  }
};

class RawBuffer {
 public:
  RawBuffer() = default;
  explicit RawBuffer(std::size_t n) { ensure(n); }
  /// At least `n` bytes; old contents are not kept.
  void ensure(std::size_t n) {
    if (n <= cap_) return;
    data_.reset();
    data_.reset(detail::BigBufferAllocator<std::uint8_t>{}.allocate(n));  // no zero fill
    data_.get_deleter().n = n;
    cap_ = n;
  }
  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::size_t capacity() const { return cap_; }
  std::span<const std::uint8_t> first(std::size_t n) const { return {data_.get(), n}; }

 private:
  std::unique_ptr<std::uint8_t, FreeBigBuffer> data_;
  std::size_t cap_ = 0;
};

}  // namespace scxsnap::capture_detail
