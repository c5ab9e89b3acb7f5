// SPDX-License-Identifier: Apache-2.0
// The two executors of a layout plan.
#pragma once

#include <cstdint>

#include "layout_plan.hpp"
#include "report/json_writer.hpp"
#include "scxsnap/rendered_value.hpp"

namespace scxsnap::btf_plan {

/// Builds the RenderedValue tree.
class TreeExec {
 public:
  explicit TreeExec(const Plan& plan) : plan_(plan) {}
  RenderedValue run(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth = 0) const;

 private:
  RenderedValue partial(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth) const;
  const Plan& plan_;
};

/// Writes the same value as JSON, with no tree in between.
class JsonExec {
 public:
  JsonExec(const Plan& plan, detail::JsonWriter& w) : plan_(plan), w_(w) {}
  void run(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth = 0);

 private:
  void partial(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth);
  const Plan& plan_;
  detail::JsonWriter& w_;
};

}  // namespace scxsnap::btf_plan
