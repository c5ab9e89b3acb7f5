// SPDX-License-Identifier: Apache-2.0
// The allocator of large byte buffers that are filled once and then written
// out or handed on (native frames, the kernel's batch buffers). Buffers of
// 2 MiB and more are placed on 2 MiB boundaries and advised as transparent
// huge pages, so the kernel faults them in 2 MiB at a time instead of 4 KiB:
// in a VM each fault costs microseconds, and a 200,000-entry native capture
// spent a third of its time faulting in fresh frame pages. Where the kernel
// has THP off (or `never`) the advice is ignored and nothing else changes.
// Smaller buffers come from operator new as usual.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <sys/mman.h>
#include <utility>
#include <vector>

namespace scxsnap::detail {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

template <class T>
struct BigBufferAllocator {
  using value_type = T;
  BigBufferAllocator() = default;
  template <class U>
  BigBufferAllocator(const BigBufferAllocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    if (bytes < kHugePageBytes) return std::allocator<T>{}.allocate(n);
    const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = std::aligned_alloc(kHugePageBytes, rounded);
    if (p == nullptr) throw std::bad_alloc();
    (void)::madvise(p, rounded, MADV_HUGEPAGE);  // advice: refused is harmless
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePageBytes)
      std::allocator<T>{}.deallocate(p, n);
    else
      std::free(p);
  }
  /// Elements added by resize() are left uninitialised (a buffer about to
  /// be overwritten is not zero-filled first); others are constructed as usual.
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const BigBufferAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

/// Bytes in a buffer that may grow large.
using BigBytes = std::vector<std::uint8_t, BigBufferAllocator<std::uint8_t>>;

/// Appends `bytes` to `out`: grown without zero-filling, then one memcpy.
inline void append_bytes(BigBytes& out, std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  const std::size_t at = out.size();
  out.resize(at + bytes.size());
  std::memcpy(out.data() + at, bytes.data(), bytes.size());
}

}  // namespace scxsnap::detail
