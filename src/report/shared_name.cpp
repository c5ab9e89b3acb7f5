// SPDX-License-Identifier: Apache-2.0
// SharedName: one allocation (count, length, characters) per distinct name,
// freed by its last copy.
#include "narrow.hpp"
#include "scxsnap/rendered_value.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace scxsnap {

SharedName::SharedName(std::string_view s) {
  if (s.empty()) return;  // the empty name needs no storage
  // A name longer than 4 GiB does not fit the count: refused before any allocation.
  const auto len = detail::narrow_or_throw<std::uint32_t>(s.size(), "a name's length");
  void* mem = std::malloc(sizeof(Rep) + s.size());
  if (!mem) throw std::bad_alloc();
  p_ = new (mem) Rep{{1}, len};
  std::memcpy(static_cast<char*>(mem) + sizeof(Rep), s.data(), s.size());
}

void SharedName::release(Rep* p) noexcept {
  if (p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    p->~Rep();
    std::free(p);
  }
}

}  // namespace scxsnap
