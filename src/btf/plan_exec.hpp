// SPDX-License-Identifier: Apache-2.0
// The two executors of a layout plan: one builds the RenderedValue tree, the
// other appends the same value as compact JSON. Both take the same budget and
// stop signal and cut a value the same way (render_budget.hpp).
#pragma once

#include "layout_plan.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/rendered_value.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scxsnap::btf_plan {

/// Renders a pointer that `RenderLimits::follow_pointer` places in an
/// arena (target type id, address); nullopt when it is not an arena pointer.
using FollowFn = std::function<std::optional<RenderedValue>(std::uint32_t, std::uint64_t)>;

class ExecBase {
 public:
  const RenderStatus& status() const { return status_; }
  /// Set by the renderer when pointers may be followed.
  void set_follow(const FollowFn* f) { follow_ = f; }

 protected:
  ExecBase(const Plan& plan, const RenderLimits* limits) : plan_(plan), limits_(limits) {}
  /// Polled in long loops: true once the render must stop.
  bool poll() {
    if (status_.stopped) return true;
    if (limits_ && limits_->should_stop && limits_->should_stop()) status_.stopped = true;
    return status_.stopped;
  }
  /// Fills status_ for a root render and returns the budget the root gets.
  std::uint64_t begin_root(std::uint32_t root, const std::uint8_t* p, std::size_t avail);

  /// An arena pointer's whole rendering, when pointers are followed.
  std::optional<RenderedValue> follow(std::uint32_t target, std::uint64_t address) const {
    if (!follow_ || address == 0) return std::nullopt;
    return (*follow_)(target, address);
  }

  // The walks both executors share: which children a value shows, at which
  // bytes, with what budget, polling the stop signal as they go. `fn` gets
  // (index, child node, child bytes[, child avail, child budget]).
  template <class Fn>
  void each_member(const Node& n, const std::uint8_t* p, Fn&& fn);
  template <class Fn>
  void each_element(const Node& n, const std::uint8_t* p, Fn&& fn);
  template <class Fn>
  void each_cut_member(const Node& n, const std::uint8_t* p, std::size_t avail,
                       std::uint64_t budget, Fn&& fn);
  template <class Fn>
  void each_cut_element(const Node& n, const std::uint8_t* p, std::size_t avail,
                        std::uint64_t budget, Fn&& fn);

  const Plan& plan_;
  const RenderLimits* limits_;
  const FollowFn* follow_ = nullptr;
  RenderStatus status_;
};

/// Builds the RenderedValue tree.
class TreeExec : public ExecBase {
 public:
  explicit TreeExec(const Plan& plan, const RenderLimits* limits = nullptr)
      : ExecBase(plan, limits) {}
  RenderedValue root(std::uint32_t node, const std::uint8_t* p, std::size_t avail);

 private:
  RenderedValue value(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth,
                      std::uint64_t budget);
  // dispatchers, then one helper per kind that is more than a line
  RenderedValue full(std::uint32_t node, const std::uint8_t* p, int depth);
  RenderedValue cut(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth,
                    std::uint64_t budget);
  RenderedValue full_enum(const Node& n, const std::uint8_t* p);
  RenderedValue full_struct(const Node& n, const std::uint8_t* p, int depth);
  RenderedValue full_array(const Node& n, const std::uint8_t* p, int depth);
  RenderedValue full_ptr(const Node& n, const std::uint8_t* p);
  RenderedValue cut_struct(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                           std::uint64_t budget);
  RenderedValue cut_array(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                          std::uint64_t budget);
  RenderedValue make_struct(const Node& n, std::vector<RenderedMember> members) const;
};

/// Appends the same value as compact JSON to `out`, with no tree in between.
class JsonExec : public ExecBase {
 public:
  JsonExec(const Plan& plan, std::string& out, const RenderLimits* limits = nullptr)
      : ExecBase(plan, limits), out_(out) {}
  void root(std::uint32_t node, const std::uint8_t* p, std::size_t avail);

 private:
  void value(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth,
             std::uint64_t budget);
  // dispatchers, then one helper per kind that is more than a line
  void full(std::uint32_t node, const std::uint8_t* p, int depth);
  void cut(std::uint32_t node, const std::uint8_t* p, std::size_t avail, int depth,
           std::uint64_t budget);
  void full_enum(const Node& n, const std::uint8_t* p);
  void full_struct(const Node& n, const std::uint8_t* p, int depth);
  void full_array(const Node& n, const std::uint8_t* p, int depth);
  void full_ptr(const Node& n, const std::uint8_t* p);
  void cut_struct(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                  std::uint64_t budget);
  void cut_array(const Node& n, const std::uint8_t* p, std::size_t avail, int depth,
                 std::uint64_t budget);
  void bytes(const Node& n, const std::uint8_t* p, std::size_t shown);
  void truncated_head(std::uint64_t needed, std::uint64_t had);
  void maybe_flush() {
    if (limits_ && limits_->flush && out_.size() >= limits_->flush_at) limits_->flush(out_);
  }
  std::string& out_;
};

}  // namespace scxsnap::btf_plan
