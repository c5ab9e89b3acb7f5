// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/btf_render.hpp"

#include "layout_plan.hpp"
#include "plan_exec.hpp"
#include "raw_bytes.hpp"

#include <bpf/btf.h>

#include <fmt/format.h>

namespace scxsnap {

struct BtfRenderer::Impl {
  Impl(const struct btf* b, std::uint32_t cap) : btf(b), compiler(b, plan) {
    plan.max_array_elements = cap;
  }
  const struct btf* btf;
  btf_plan::Plan plan;
  btf_plan::Compiler compiler;
  // Arena pointers' targets render through a renderer of their own (its
  // plan grows while this one's executor runs); they are followed one level
  // deep, so that renderer only labels the pointers it meets.
  std::unique_ptr<BtfRenderer> targets;
  bool is_target_renderer = false;

  std::optional<RenderedValue> follow(std::uint32_t target, std::uint64_t address,
                                      const RenderLimits& limits);
};

std::optional<RenderedValue> BtfRenderer::Impl::follow(std::uint32_t target, std::uint64_t address,
                                                       const RenderLimits& limits) {
  PointerTarget where = limits.follow_pointer(address, 0);
  if (!where.arena) return std::nullopt;
  static const std::string kArena = "cast→arena";
  auto skipped = [&](std::string why) {
    return RenderedValue::make_ptr(
        address, std::nullopt, fmt::format("arena offset 0x{:x}: {}", where.offset, why), kArena);
  };
  if (is_target_renderer)
    return skipped("pointers inside a followed pointer's target are not followed");
  if (!targets) {
    targets = std::make_unique<BtfRenderer>(btf, plan.max_array_elements);
    targets->impl_->is_target_renderer = true;
  }
  auto size = targets->type_size(target);
  if (!size || *size == 0) return skipped("its target type has no size");
  where = limits.follow_pointer(address, *size);
  if (where.bytes.size() < *size) return skipped("its target is not in a captured page");
  RenderLimits inner = limits;
  inner.flush = nullptr;  // the target is appended whole, inside this value
  auto v = targets->render(target, where.bytes, inner);
  if (!v) return skipped(v.error().message());
  return RenderedValue::make_ptr(address, std::move(*v), std::nullopt, kArena);
}

BtfRenderer::BtfRenderer(const struct btf* btf, std::uint32_t max_array_elements)
    : impl_(std::make_unique<Impl>(btf, max_array_elements)) {}
BtfRenderer::~BtfRenderer() = default;
BtfRenderer::BtfRenderer(BtfRenderer&&) noexcept = default;
BtfRenderer& BtfRenderer::operator=(BtfRenderer&&) noexcept = default;

Result<std::uint32_t> BtfRenderer::compile(std::uint32_t type_id) {
  if (!impl_ || !impl_->btf)
    return Error(
        ErrorCode::BadInput,
        fmt::format("type id {}: the renderer has no BTF (a null btf, or moved from)", type_id));
  return impl_->compiler.compile(type_id);
}

Result<RenderedValue> BtfRenderer::render(std::uint32_t type_id,
                                          std::span<const std::uint8_t> bytes) {
  return render(type_id, bytes, RenderLimits{}, nullptr);
}

Result<void> BtfRenderer::render_json(std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                                      std::string& out) {
  return render_json(type_id, bytes, out, RenderLimits{}, nullptr);
}

Result<RenderedValue> BtfRenderer::render(std::uint32_t type_id,
                                          std::span<const std::uint8_t> bytes,
                                          const RenderLimits& limits, RenderStatus* status) {
  SCXSNAP_TRY(std::uint32_t root, compile(type_id));
  btf_plan::TreeExec exec(impl_->plan, &limits);
  btf_plan::FollowFn follow;
  if (limits.follow_pointer) {
    follow = [this, &limits](std::uint32_t t, std::uint64_t a) {
      return impl_->follow(t, a, limits);
    };
    exec.set_follow(&follow);
  }
  RenderedValue v = exec.root(root, bytes.data(), bytes.size());
  if (status) *status = exec.status();
  return v;
}

Result<void> BtfRenderer::render_json(std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                                      std::string& out, const RenderLimits& limits,
                                      RenderStatus* status) {
  SCXSNAP_TRY(std::uint32_t root, compile(type_id));
  btf_plan::JsonExec exec(impl_->plan, out, &limits);
  btf_plan::FollowFn follow;
  if (limits.follow_pointer) {
    follow = [this, &limits](std::uint32_t t, std::uint64_t a) {
      return impl_->follow(t, a, limits);
    };
    exec.set_follow(&follow);
  }
  exec.root(root, bytes.data(), bytes.size());
  if (status) *status = exec.status();
  return {};
}

Result<std::uint32_t> BtfRenderer::type_size(std::uint32_t type_id) {
  SCXSNAP_TRY(std::uint32_t root, compile(type_id));
  return impl_->plan.nodes[root].size;
}

std::vector<std::span<const std::uint8_t>> split_percpu(std::span<const std::uint8_t> buf,
                                                        std::size_t value_size, std::size_t ncpus) {
  std::vector<std::span<const std::uint8_t>> out;
  std::size_t stride = (value_size + 7) / 8 * 8;
  if (stride == 0) return out;
  for (std::size_t c = 0; c < ncpus && (c + 1) * stride <= buf.size(); ++c)
    out.push_back(buf.subspan(c * stride, value_size));
  return out;
}

void append_hex_bytes(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (bytes.empty()) return;
  std::size_t at = out.size();
  out.resize(at + bytes.size() * 3 - 1);
  char* p = out.data() + at;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    *p++ = kHex[bytes[i] >> 4];
    *p++ = kHex[bytes[i] & 0xf];
    if (i + 1 < bytes.size()) *p++ = ' ';
  }
}

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  std::string s;
  append_hex_bytes(s, bytes);
  return s;
}

}  // namespace scxsnap
