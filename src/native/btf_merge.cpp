// SPDX-License-Identifier: Apache-2.0
#include "btf_merge.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <string_view>

namespace scxsnap::native {
namespace {

constexpr std::string_view kAnchor = "__scxsnap_anchor_";

// Every type id a type refers to, as pointers into it (to read or rewrite).
template <class Fn>
void for_each_ref(struct btf_type* t, Fn&& fn) {
  switch (btf_kind(t)) {
    case BTF_KIND_PTR:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
    case BTF_KIND_TYPE_TAG:
      fn(t->type);
      break;
    case BTF_KIND_ARRAY:
      fn(btf_array(t)->type);
      fn(btf_array(t)->index_type);
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
      auto* m = btf_members(t);
      for (unsigned i = 0; i < btf_vlen(t); ++i) fn(m[i].type);
      break;
    }
    case BTF_KIND_FUNC_PROTO: {
      fn(t->type);
      auto* p = btf_params(t);
      for (unsigned i = 0; i < btf_vlen(t); ++i) fn(p[i].type);
      break;
    }
    case BTF_KIND_DATASEC: {
      auto* v = btf_var_secinfos(t);
      for (unsigned i = 0; i < btf_vlen(t); ++i) fn(v[i].type);
      break;
    }
    default:  // INT, ENUM, ENUM64, FWD, FLOAT: no references
      break;
  }
}

}  // namespace

BtfMerge::BtfMerge() : dst_(btf__new_empty()) {
  if (dst_) btf__set_pointer_size(dst_, 8);
}

BtfMerge::~BtfMerge() { btf__free(dst_); }

Result<std::uint32_t> BtfMerge::copy_closure(const struct btf* src, std::uint32_t root) {
  if (root == 0) return 0u;
  if (auto it = copied_.find({src, root}); it != copied_.end()) return it->second;
  const std::uint32_t src_count = btf__type_cnt(src);
  // Breadth-first: every type not yet copied gets the next id, in order, so
  // references can be rewritten before the types they name are added.
  std::vector<std::uint32_t> order{root};
  const std::uint32_t first = btf__type_cnt(dst_);
  copied_[{src, root}] = first;
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto* t = const_cast<struct btf_type*>(btf__type_by_id(src, order[i]));
    if (!t) return Error(ErrorCode::BadInput, fmt::format("BTF type {} does not exist", order[i]));
    bool bad = false;
    for_each_ref(t, [&](std::uint32_t& ref) {
      if (ref == 0) return;
      if (ref >= src_count) {
        bad = true;
        return;
      }
      if (copied_.emplace(std::pair{src, ref}, first + order.size()).second) order.push_back(ref);
    });
    if (bad)
      return Error(ErrorCode::BadInput,
                   fmt::format("BTF type {} refers to a type id past the last ({})", order[i],
                               src_count - 1));
  }
  for (std::uint32_t id : order) {
    int got = btf__add_type(dst_, src, btf__type_by_id(src, id));
    if (got < 0)
      return Error(ErrorCode::Internal,
                   fmt::format("copying BTF type {}: {}", id, std::strerror(-got)));
    auto* t = const_cast<struct btf_type*>(btf__type_by_id(dst_, static_cast<std::uint32_t>(got)));
    for_each_ref(t, [&](std::uint32_t& ref) {
      if (ref != 0) ref = copied_.at({src, ref});
    });
  }
  return first;
}

Result<std::uint32_t> BtfMerge::add_root(const struct btf* src, std::uint32_t type_id) {
  if (!dst_) return Error(ErrorCode::Internal, "cannot create a BTF object");
  const auto handle = static_cast<std::uint32_t>(resolved_.size());
  std::uint32_t id = 0;
  if (src && type_id) {
    SCXSNAP_TRY(id, copy_closure(src, type_id));
    std::string name = fmt::format("{}{}", kAnchor, handle);
    int v = btf__add_var(dst_, name.c_str(), BTF_VAR_STATIC, static_cast<int>(id));
    if (v < 0)
      return Error(ErrorCode::Internal, fmt::format("anchoring BTF type: {}", std::strerror(-v)));
  }
  resolved_.push_back(id);
  return handle;
}

Result<void> BtfMerge::finish() {
  if (!dst_) return Error(ErrorCode::Internal, "cannot create a BTF object");
  if (btf__dedup(dst_, nullptr) != 0) return {};  // kept as copied: still exact, only larger
  const std::uint32_t n = btf__type_cnt(dst_);
  for (std::uint32_t id = 1; id < n; ++id) {
    const struct btf_type* t = btf__type_by_id(dst_, id);
    if (!btf_is_var(t)) continue;
    std::string_view name = btf__name_by_offset(dst_, t->name_off);
    if (!name.starts_with(kAnchor)) continue;
    unsigned long h = std::strtoul(name.data() + kAnchor.size(), nullptr, 10);
    if (h < resolved_.size()) resolved_[h] = t->type;
  }
  return {};
}

std::span<const std::uint8_t> BtfMerge::raw() const {
  std::uint32_t size = 0;
  const void* p = btf__raw_data(dst_, &size);
  return {static_cast<const std::uint8_t*>(p), size};
}

}  // namespace scxsnap::native
