// SPDX-License-Identifier: Apache-2.0
#include "render_budget.hpp"

#include <algorithm>
#include <numeric>

namespace scxsnap::btf_plan {

void allot_members(const Plan& plan, const Node& n, std::uint64_t budget,
                   std::vector<std::uint64_t>& out) {
  out.assign(n.count, 0);
  // What the struct's own text takes comes first.
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  for (std::uint32_t i = 0; i < n.count; ++i)
    fixed += plan.members[n.first + i].json_prefix.size() + 2;
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  std::vector<std::uint32_t> order(n.count);
  std::iota(order.begin(), order.end(), 0u);
  auto cost = [&](std::uint32_t i) { return plan.nodes[plan.members[n.first + i].node].cost; };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return cost(a) < cost(b); });
  for (std::size_t k = 0; k < order.size(); ++k) {
    std::uint64_t share = left / (order.size() - k);
    std::uint64_t give = std::min(cost(order[k]), share);
    out[order[k]] = give;
    left -= give;
  }
}

ArrayAllot allot_array(const Plan& plan, const Node& n, std::uint64_t budget) {
  ArrayAllot a;
  std::uint32_t shown = std::min(n.count, plan.max_array_elements);
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  std::uint64_t per = plan.nodes[n.first].cost + 1;  // the element and its comma
  std::uint64_t whole = std::min<std::uint64_t>(shown, left / per);
  a.whole = static_cast<std::uint32_t>(whole);
  left -= whole * per;
  if (a.whole < shown && left > 1) a.last_budget = left - 1;
  return a;
}

std::uint32_t bytes_shown(const Node& n, std::uint64_t budget) {
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n.size, (left + 1) / 3));
}

std::uint64_t covered_bytes(const Plan& plan, std::uint32_t idx, std::uint64_t budget, int depth) {
  const Node& n = plan.nodes[idx];
  if (n.cost <= budget || depth > kMaxNesting) return n.size;
  switch (n.op) {
    case Op::Struct: {
      std::vector<std::uint64_t> give;
      allot_members(plan, n, budget, give);
      std::uint64_t sum = 0;
      for (std::uint32_t i = 0; i < n.count; ++i)
        sum += covered_bytes(plan, plan.members[n.first + i].node, give[i], depth + 1);
      return std::min<std::uint64_t>(sum, n.size);  // union members overlap
    }
    case Op::Array: {
      ArrayAllot a = allot_array(plan, n, budget);
      std::uint64_t sum = std::uint64_t{a.whole} * n.elem_size;
      if (a.last_budget) sum += covered_bytes(plan, n.first, a.last_budget, depth + 1);
      return std::min<std::uint64_t>(sum, n.size);
    }
    case Op::Bytes:
      return bytes_shown(n, budget);
    default:
      return n.size;
  }
}

}  // namespace scxsnap::btf_plan
