// SPDX-License-Identifier: Apache-2.0
// The two executors of a layout plan.
#pragma once

#include "layout_plan.hpp"
#include "report/json_writer.hpp"
#include "scxsnap/rendered_value.hpp"

#include <cstdint>

namespace scxsnap::btf_plan {

/// Builds the RenderedValue tree.
class TreeExec {
 public:
  explicit TreeExec(const Plan& plan) : plan_(plan) {}
  RenderedValue run(std::uint32_t node, const std::uint8_t* p, std::size_t avail,
                    int depth = 0) const;

 private:
  RenderedValue partial(std::uint32_t node, const std::uint8_t* p, std::size_t avail,
                        int depth) const;
  const Plan& plan_;
};

/// Appends the same value as compact JSON to `out`, with no tree in between.
class JsonExec {
 public:
  JsonExec(const Plan& plan, std::string& out) : plan_(plan), out_(out) {}
  void run(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth = 0);

 private:
  const Plan& plan_;
  std::string& out_;
};

}  // namespace scxsnap::btf_plan
