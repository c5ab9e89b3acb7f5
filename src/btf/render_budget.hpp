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

/// Budgets for each member of struct node `n`, in member order.
void allot_members(const Plan& plan, const Node& n, std::uint64_t budget,
                   std::vector<std::uint64_t>& out);

struct ArrayAllot {
  std::uint32_t whole = 0;        // elements rendered in full
  std::uint64_t last_budget = 0;  // budget of one more, cut element (0 = none)
};
ArrayAllot allot_array(const Plan& plan, const Node& n, std::uint64_t budget);

/// Bytes of a Bytes node rendered under `budget`.
std::uint32_t bytes_shown(const Node& n, std::uint64_t budget);

/// Bytes of the value that a render of node `idx` under `budget` shows in
/// full (the `had` of the truncated wrapper).
std::uint64_t covered_bytes(const Plan& plan, std::uint32_t idx, std::uint64_t budget,
                            int depth = 0);

}  // namespace scxsnap::btf_plan
