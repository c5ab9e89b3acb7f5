// SPDX-License-Identifier: Apache-2.0
#include "series/expect_failures.hpp"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace scxsnap::detail {
namespace {

// Every value class in one type that holds each exactly: long double has a
// 64-bit mantissa (x86-64) or more, so u64 and i64 compare exactly.
using Wide = long double;

Wide wide(const Number& n) {
  switch (n.cls) {
    case ValueClass::Unsigned:
      return static_cast<Wide>(n.u);
    case ValueClass::Signed:
      return static_cast<Wide>(n.i);
    case ValueClass::Bool:
      return n.b ? 1 : 0;
    case ValueClass::Float:
      break;
  }
  return static_cast<Wide>(n.f);
}

std::string text(Wide v) {
  if (v == std::floor(v) && std::fabs(v) < 1e19L) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", static_cast<double>(v));
}

Wide bound(const Expectation& e, std::size_t i) {
  return std::strtold(e.num_texts[i].c_str(), nullptr);
}

struct Hit {
  std::size_t row;  // the failing sample
  Wide distance;    // how far from passing
  std::string value, by;
};

}  // namespace

std::optional<FailureSpan> failure_span(const Expectation& e, const SampleSeries& s,
                                        const Projection& p, const std::vector<std::size_t>& keep) {
  const std::string& pat = e.pattern;
  std::vector<Hit> hits;
  auto v = [&](std::size_t j) { return wide(*p.values[keep[j]]); };
  for (std::size_t j = 0; j < keep.size(); ++j) {
    const Wide x = v(j);
    if (pat == "each.at_least" && x < bound(e, 0)) {
      hits.push_back({keep[j], bound(e, 0) - x, text(x),
                      fmt::format("{} below {}", text(bound(e, 0) - x), e.num_texts[0])});
    } else if (pat == "each.at_most" && x > bound(e, 0)) {
      hits.push_back({keep[j], x - bound(e, 0), text(x),
                      fmt::format("{} above {}", text(x - bound(e, 0)), e.num_texts[0])});
    } else if (pat == "each.between" && (x < bound(e, 0) || x > bound(e, 1))) {
      const bool low = x < bound(e, 0);
      const Wide d = low ? bound(e, 0) - x : x - bound(e, 1);
      hits.push_back(
          {keep[j], d, text(x),
           fmt::format("{} {} {}", text(d), low ? "below" : "above", e.num_texts[low ? 0 : 1])});
    } else if (pat == "always_true" && x == 0) {
      hits.push_back({keep[j], 1, "false", "false"});
    } else if ((pat == "nondecreasing" || pat == "strictly_increasing") && j > 0) {
      const Wide prev = v(j - 1);
      if (x < prev || (pat == "strictly_increasing" && x == prev))
        hits.push_back({keep[j], prev - x, fmt::format("{} -> {}", text(prev), text(x)),
                        x == prev ? "no increase" : fmt::format("a drop of {}", text(prev - x))});
    } else if (pat == "rate_within" && j > 0) {
      const auto& a = s.rows()[keep[j - 1]].elapsed_ms;
      const auto& b = s.rows()[keep[j]].elapsed_ms;
      if (!a || !b || *b <= *a) continue;  // not a rate: the pattern says so itself
      const Wide rate = (x - v(j - 1)) / static_cast<Wide>(*b - *a);
      const double lo = e.nums[0], hi = e.nums[1];
      if (rate < lo || rate > hi) {
        const bool low = rate < lo;
        const Wide d = low ? lo - rate : rate - hi;
        hits.push_back({keep[j], d, fmt::format("rate {:.4f}/ms", static_cast<double>(rate)),
                        fmt::format("{:.4g}/ms {} {}", static_cast<double>(d),
                                    low ? "below" : "above", e.num_texts[low ? 0 : 1])});
      }
    }
  }
  if (hits.empty()) return std::nullopt;
  auto sample = [&](const Hit& h) {
    const SampleRow& r = s.rows()[h.row];
    return FailingSample{r.tag, r.elapsed_ms, h.value};
  };
  std::size_t worst = 0;
  for (std::size_t k = 1; k < hits.size(); ++k)
    if (hits[k].distance > hits[worst].distance) worst = k;
  FailureSpan out;
  out.count = hits.size();
  out.first = sample(hits.front());
  out.last = sample(hits.back());
  out.worst = sample(hits[worst]);
  out.worst_by = hits[worst].by;
  return out;
}

}  // namespace scxsnap::detail
