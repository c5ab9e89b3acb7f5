// SPDX-License-Identifier: Apache-2.0
// The render budget: how a value whose full rendering would pass the budget
// is cut. Both executors call these, so the tree and the direct JSON agree.
//
// A struct shares its budget among its members max-min fairly (small members
// render whole, the rest split what is left), so a counter declared after a
// 100 MiB array still shows. An array renders as many whole elements as fit,
// then at most one element cut further: nested arrays never multiply.
#pragma once

#include "layout_plan.hpp"

#include <cstdint>
#include <vector>

namespace scxsnap::btf_plan {

/// Budgets for each member of struct node `n` (its value at `p`, `avail`
/// bytes readable), in member order: max-min fair over what each member's
/// rendering needs.
void allot_members(const Plan& plan, const Node& n, const std::uint8_t* p, std::size_t avail,
                   std::uint64_t budget, std::vector<std::uint64_t>& out);

struct ArrayAllot {
  std::uint32_t whole = 0;        // elements rendered in full
  std::uint64_t last_budget = 0;  // budget of one more, cut element (0 = none)
};
ArrayAllot allot_array(const Plan& plan, const Node& n, const std::uint8_t* p, std::size_t avail,
                       std::uint64_t budget);

/// Whether the full rendering of node `idx` over the value at `p` fits
/// `budget`. The plan's cost is an upper bound for any value of the type;
/// this looks at the value where the bound is loose (a CPU list is as long
/// as its runs, not its bitmap's 8192 bits), so a value is cut only when its
/// rendering is really too large. Sums stop as soon as they pass the budget;
/// bytes not all there (`avail` short) fall back to the bound.
bool fits(const Plan& plan, std::uint32_t idx, const std::uint8_t* p, std::size_t avail,
          std::uint64_t budget);

/// Each run of set bits of an `nbytes` bitmap, in order: fn(first, last).
template <class Fn>
void for_each_cpu_run(const std::uint8_t* p, std::uint32_t nbytes, Fn&& fn) {
  const std::uint32_t nbits = nbytes * 8;
  auto set = [p](std::uint32_t b) { return ((p[b / 8] >> (b % 8)) & 1) != 0; };
  for (std::uint32_t i = 0; i < nbits;) {
    if (!set(i)) {
      ++i;
      continue;
    }
    std::uint32_t j = i;
    while (j + 1 < nbits && set(j + 1)) ++j;
    fn(i, j);
    i = j + 1;
  }
}

/// Compact JSON bytes of the CPU list of an `nbytes` bitmap ("0-3,8").
std::uint64_t cpu_list_bytes(const std::uint8_t* p, std::uint32_t nbytes);

/// Bytes of a Bytes node rendered under `budget`.
std::uint32_t bytes_shown(const Node& n, std::uint64_t budget);

/// Bytes of the value that a render of node `idx` under `budget` shows in
/// full (the `had` of the truncated wrapper).
std::uint64_t covered_bytes(const Plan& plan, std::uint32_t idx, const std::uint8_t* p,
                            std::size_t avail, std::uint64_t budget, int depth = 0);

}  // namespace scxsnap::btf_plan
