// SPDX-License-Identifier: Apache-2.0
#include "render_budget.hpp"

#include <algorithm>
#include <numeric>

namespace scxsnap::btf_plan {

namespace {

std::uint64_t digits(std::uint32_t v) {
  std::uint64_t d = 1;
  while (v >= 10) {
    v /= 10;
    ++d;
  }
  return d;
}

// A tighter upper bound of node `idx`'s rendering than its cost, read off
// the value; stops once past `limit`.
std::uint64_t measured(const Plan& plan, std::uint32_t idx, const std::uint8_t* p,
                       std::size_t avail, std::uint64_t limit, int depth) {
  const Node& n = plan.nodes[idx];
  if (n.cost <= limit || depth > kMaxNesting || avail < n.size) return n.cost;
  const std::uint64_t frame = n.json_head.size() + n.json_tail.size();
  switch (n.op) {
    case Op::CpuList:
      return frame + cpu_list_bytes(p + n.aux, n.elem_size);
    case Op::Struct: {
      std::uint64_t c = frame;
      for (std::uint32_t i = 0; i < n.count && c <= limit; ++i) {
        const Member& m = plan.members[n.first + i];
        c += m.json_prefix.size() + 2 +
             measured(plan, m.node, p + m.byte_off, avail - m.byte_off, limit, depth + 1);
      }
      return c;
    }
    case Op::Array: {
      const Node& e = plan.nodes[n.first];
      // Elements whose bound is exact cannot make the array smaller.
      if (e.op != Op::Struct && e.op != Op::Array && e.op != Op::CpuList) return n.cost;
      const std::uint32_t shown = std::min(n.count, plan.max_array_elements);
      std::uint64_t c = frame;
      for (std::uint32_t i = 0; i < shown && c <= limit; ++i) {
        const std::size_t off = std::size_t{i} * n.elem_size;
        c += 1 + measured(plan, n.first, p + off, avail - off, limit, depth + 1);
      }
      return c;
    }
    default:
      return n.cost;
  }
}

}  // namespace

std::uint64_t cpu_list_bytes(const std::uint8_t* p, std::uint32_t nbytes) {
  std::uint64_t out = 0;
  for_each_cpu_run(p, nbytes, [&](std::uint32_t i, std::uint32_t j) {
    out += (out ? 1 : 0) + digits(i) + (j == i ? 0 : 1 + digits(j));
  });
  return out;
}

bool fits(const Plan& plan, std::uint32_t idx, const std::uint8_t* p, std::size_t avail,
          std::uint64_t budget) {
  return measured(plan, idx, p, avail, budget, 0) <= budget;
}

void allot_members(const Plan& plan, const Node& n, const std::uint8_t* p, std::size_t avail,
                   std::uint64_t budget, std::vector<std::uint64_t>& out) {
  out.assign(n.count, 0);
  // What the struct's own text takes comes first.
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  for (std::uint32_t i = 0; i < n.count; ++i)
    fixed += plan.members[n.first + i].json_prefix.size() + 2;
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  // What each member needs, read off the value where its bytes are there.
  std::vector<std::uint64_t> need(n.count);
  for (std::uint32_t i = 0; i < n.count; ++i) {
    const Member& m = plan.members[n.first + i];
    need[i] = m.byte_off <= avail
                  ? measured(plan, m.node, p + m.byte_off, avail - m.byte_off, left, 0)
                  : plan.nodes[m.node].cost;
  }
  std::vector<std::uint32_t> order(n.count);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return need[a] < need[b]; });
  for (std::size_t k = 0; k < order.size(); ++k) {
    std::uint64_t share = left / (order.size() - k);
    std::uint64_t give = std::min(need[order[k]], share);
    out[order[k]] = give;
    left -= give;
  }
}

ArrayAllot allot_array(const Plan& plan, const Node& n, const std::uint8_t* p, std::size_t avail,
                       std::uint64_t budget) {
  ArrayAllot a;
  std::uint32_t shown = std::min(n.count, plan.max_array_elements);
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  const Node& e = plan.nodes[n.first];
  if (e.op == Op::Struct || e.op == Op::Array || e.op == Op::CpuList) {
    // Elements of one type may render to very different sizes (CPU lists):
    // as many whole ones as really fit.
    for (; a.whole < shown; ++a.whole) {
      const std::size_t off = std::size_t{a.whole} * n.elem_size;
      const std::uint64_t per =
          1 + (off <= avail ? measured(plan, n.first, p + off, avail - off, left, 0) : e.cost);
      if (per > left) break;
      left -= per;
    }
  } else {
    std::uint64_t per = e.cost + 1;  // the element and its comma
    std::uint64_t whole = std::min<std::uint64_t>(shown, left / per);
    a.whole = static_cast<std::uint32_t>(whole);
    left -= whole * per;
  }
  if (a.whole < shown && left > 1) a.last_budget = left - 1;
  return a;
}

std::uint32_t bytes_shown(const Node& n, std::uint64_t budget) {
  std::uint64_t fixed = n.json_head.size() + n.json_tail.size();
  std::uint64_t left = budget > fixed ? budget - fixed : 0;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n.size, (left + 1) / 3));
}

std::uint64_t covered_bytes(const Plan& plan, std::uint32_t idx, const std::uint8_t* p,
                            std::size_t avail, std::uint64_t budget, int depth) {
  const Node& n = plan.nodes[idx];
  if (n.cost <= budget || depth > kMaxNesting || fits(plan, idx, p, avail, budget)) return n.size;
  switch (n.op) {
    case Op::Struct: {
      std::vector<std::uint64_t> give;
      allot_members(plan, n, p, avail, budget, give);
      std::uint64_t sum = 0;
      for (std::uint32_t i = 0; i < n.count; ++i) {
        const Member& m = plan.members[n.first + i];
        const std::size_t off = std::min<std::size_t>(m.byte_off, avail);
        sum += covered_bytes(plan, m.node, p + off, avail - off, give[i], depth + 1);
      }
      return std::min<std::uint64_t>(sum, n.size);  // union members overlap
    }
    case Op::Array: {
      ArrayAllot a = allot_array(plan, n, p, avail, budget);
      std::uint64_t sum = std::uint64_t{a.whole} * n.elem_size;
      const std::size_t off = std::min<std::size_t>(sum, avail);
      if (a.last_budget)
        sum += covered_bytes(plan, n.first, p + off, avail - off, a.last_budget, depth + 1);
      return std::min<std::uint64_t>(sum, n.size);
    }
    case Op::Bytes:
      return bytes_shown(n, budget);
    default:
      return n.size;
  }
}

}  // namespace scxsnap::btf_plan
