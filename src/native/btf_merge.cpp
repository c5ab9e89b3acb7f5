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

BtfMerge::~BtfMerge() {
  btf__free(dst_);
}

// Behind a pointer only the pointee's name matters (the renderer follows
// pointers into arenas only): a struct or union reached through a pointer is
// copied as a forward declaration, so a struct_ops value does not drag half
// of vmlinux along. Typedefs and qualifiers keep the pointer context. A
// closure copied with its pointees is keyed apart (kPointees in its source
// key).
constexpr std::uint64_t kPointees = std::uint64_t{1} << 48;
bool keeps_pointer_context(std::uint32_t kind) {
  return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE ||
         kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

Result<std::uint32_t> BtfMerge::copy_closure(const struct btf* src, std::uint64_t src_key,
                                             std::uint32_t root) {
  if (root == 0) return 0u;
  const std::uint32_t src_count = btf__type_cnt(src);
  // The key of (type, behind a pointer): the context only matters for the
  // kinds it changes.
  const bool pointees = (src_key & kPointees) != 0;
  auto key_of = [&](std::uint32_t id, bool behind) -> Key {
    const struct btf_type* t = btf__type_by_id(src, id);
    const std::uint32_t k = t ? btf_kind(t) : 0;
    const bool ctx = behind && !pointees &&
                     (k == BTF_KIND_STRUCT || k == BTF_KIND_UNION || keeps_pointer_context(k));
    return Key{src_key, id, ctx};
  };
  const Key root_key = key_of(root, false);
  if (auto it = copied_.find(root_key); it != copied_.end()) return it->second;
  // Breadth-first: every type not yet copied gets the next id, in order, so
  // references can be rewritten before the types they name are added.
  std::vector<Key> order{root_key};
  const std::uint32_t first = btf__type_cnt(dst_);
  copied_[root_key] = first;
  auto child_context = [](std::uint32_t kind, bool behind) {
    return kind == BTF_KIND_PTR || (behind && keeps_pointer_context(kind));
  };
  auto is_fwd = [&](const Key& k, const struct btf_type* t) {
    return k.behind && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
  };
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Key k = order[i];
    auto* t = const_cast<struct btf_type*>(btf__type_by_id(src, k.id));
    if (!t) return Error(ErrorCode::BadInput, fmt::format("BTF type {} does not exist", k.id));
    if (is_fwd(k, t)) continue;
    bool bad = false;
    const bool behind = child_context(btf_kind(t), k.behind);
    for_each_ref(t, [&](std::uint32_t& ref) {
      if (ref == 0) return;
      if (ref >= src_count) {
        bad = true;
        return;
      }
      const Key ck = key_of(ref, behind);
      const struct btf_type* ct = btf__type_by_id(src, ref);
      if (is_fwd(ck, ct) && btf__name_by_offset(src, ct->name_off)[0] == '\0') {
        copied_.emplace(ck, 0);  // an anonymous struct behind a pointer: void
        return;
      }
      if (copied_.emplace(ck, first + order.size()).second) order.push_back(ck);
    });
    if (bad)
      return Error(
          ErrorCode::BadInput,
          fmt::format("BTF type {} refers to a type id past the last ({})", k.id, src_count - 1));
  }
  for (const Key& k : order) {
    const struct btf_type* st = btf__type_by_id(src, k.id);
    int got = is_fwd(k, st)
                  ? btf__add_fwd(dst_, btf__name_by_offset(src, st->name_off),
                                 btf_kind(st) == BTF_KIND_UNION ? BTF_FWD_UNION : BTF_FWD_STRUCT)
                  : btf__add_type(dst_, src, st);
    if (got < 0)
      return Error(ErrorCode::Internal,
                   fmt::format("copying BTF type {}: {}", k.id, std::strerror(-got)));
    if (is_fwd(k, st)) continue;
    auto* t = const_cast<struct btf_type*>(btf__type_by_id(dst_, static_cast<std::uint32_t>(got)));
    const bool behind = child_context(btf_kind(t), k.behind);
    for_each_ref(t, [&](std::uint32_t& ref) {
      if (ref != 0) ref = copied_.at(key_of(ref, behind));
    });
  }
  return first;
}

Result<std::uint32_t> BtfMerge::add_root(const struct btf* src, std::uint64_t src_key,
                                         std::uint32_t type_id, bool pointees) {
  if (pointees) src_key |= kPointees;
  if (!dst_) return Error(ErrorCode::Internal, "cannot create a BTF object");
  if (auto it = roots_.find({src_key, type_id}); it != roots_.end()) return it->second;
  const auto handle = static_cast<std::uint32_t>(resolved_.size());
  roots_[{src_key, type_id}] = handle;
  std::uint32_t id = 0;
  if (src && type_id) {
    SCXSNAP_TRY(id, copy_closure(src, src_key, type_id));
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
