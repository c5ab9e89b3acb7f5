// SPDX-License-Identifier: Apache-2.0
#include "arena_pointers.hpp"

#include <algorithm>
#include <unistd.h>

namespace scxsnap::arena_pointers {
namespace {

struct Range {
  std::uint64_t start = 0, end = 0;
  const ArenaSnapshot* arena = nullptr;
};

}  // namespace

std::vector<const ArenaSnapshot*> arenas_of(const std::vector<FailureDumpMap>& maps) {
  std::vector<const ArenaSnapshot*> out;
  for (const auto& m : maps)
    if (m.arena) out.push_back(&*m.arena);
  return out;
}

Follower follower(const std::vector<const ArenaSnapshot*>& arenas) {
  const auto system_page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<Range> ranges;
  static const ArenaSnapshot kNoPages{};
  for (const ArenaSnapshot* a : arenas) {
    if (!a || a->user_vm_start == 0) continue;
    const std::uint64_t page = a->pages.empty() ? system_page : a->pages.front().bytes.size();
    // A report read from a file may say anything: the span stays in u64.
    const std::uint64_t room = UINT64_MAX - a->user_vm_start;
    const std::uint64_t span =
        page != 0 && a->declared_pages <= room / page ? a->declared_pages * page : room;
    // Pages are looked up by address: a report whose pages are out of order
    // (not one scxsnap wrote) gets its arena pointers labelled, not followed.
    const bool ordered = std::is_sorted(
        a->pages.begin(), a->pages.end(),
        [](const ArenaPage& x, const ArenaPage& y) { return x.user_addr < y.user_addr; });
    ranges.push_back({a->user_vm_start, a->user_vm_start + span, ordered ? a : &kNoPages});
  }
  if (ranges.empty()) return {};
  return [ranges = std::move(ranges)](std::uint64_t addr, std::uint32_t size) -> PointerTarget {
    for (const Range& r : ranges) {
      if (addr < r.start || addr >= r.end) continue;
      PointerTarget t{true, addr - r.start, {}};
      if (size == 0) return t;
      const auto& pages = r.arena->pages;  // in address order
      auto it =
          std::upper_bound(pages.begin(), pages.end(), addr,
                           [](std::uint64_t a, const ArenaPage& p) { return a < p.user_addr; });
      if (it == pages.begin()) return t;
      const ArenaPage& p = *std::prev(it);
      const std::uint64_t in = addr - p.user_addr;  // no overflow: checked apart
      if (in < p.bytes.size() && size <= p.bytes.size() - in) t.bytes = {p.bytes.data() + in, size};
      return t;
    }
    return {};
  };
}

}  // namespace scxsnap::arena_pointers
