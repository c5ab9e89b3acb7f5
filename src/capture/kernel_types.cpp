// SPDX-License-Identifier: Apache-2.0
// Kernel types from BTF (kernel_types.hpp).
#include "kernel_types.hpp"

#include <bpf/btf.h>

#include <string>

namespace scxsnap::capture_detail {
namespace {

const struct btf_type* resolved(const struct btf* b, std::uint32_t id, std::uint32_t* out_id) {
  const int r = btf__resolve_type(b, id);
  if (r < 0) return nullptr;
  if (out_id) *out_id = static_cast<std::uint32_t>(r);
  return btf__type_by_id(b, static_cast<std::uint32_t>(r));
}

// `name` directly in `type_id` or in one of its anonymous members.
std::optional<MemberRef> direct(const struct btf* b, std::uint32_t type_id, std::string_view name,
                                int depth) {
  const struct btf_type* t = resolved(b, type_id, nullptr);
  if (!t || !btf_is_composite(t) || depth > 8) return std::nullopt;
  const struct btf_member* m = btf_members(t);
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++m) {
    const std::uint32_t bits = btf_member_bit_offset(t, i);
    const std::string_view mname = btf__name_by_offset(b, m->name_off);
    if (mname.empty()) {
      if (bits % 8) continue;
      if (auto inner = direct(b, m->type, name, depth + 1)) {
        inner->offset += bits / 8;
        return inner;
      }
      continue;
    }
    if (mname != name) continue;
    if (bits % 8 || btf_member_bitfield_size(t, i)) return std::nullopt;
    const long size = btf__resolve_size(b, m->type);
    if (size < 0) return std::nullopt;
    return MemberRef{bits / 8, static_cast<std::uint32_t>(size)};
  }
  return std::nullopt;
}

// The type id of member `name` (found as direct() finds it).
std::optional<std::uint32_t> member_type(const struct btf* b, std::uint32_t type_id,
                                         std::string_view name, int depth) {
  const struct btf_type* t = resolved(b, type_id, nullptr);
  if (!t || !btf_is_composite(t) || depth > 8) return std::nullopt;
  const struct btf_member* m = btf_members(t);
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++m) {
    const std::string_view mname = btf__name_by_offset(b, m->name_off);
    if (mname.empty()) {
      if (auto inner = member_type(b, m->type, name, depth + 1)) return inner;
    } else if (mname == name) {
      return m->type;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> KernelTypes::struct_id(std::string_view type) const {
  if (!btf_) return std::nullopt;
  const std::string n(type);
  for (std::uint32_t kind : {BTF_KIND_STRUCT, BTF_KIND_UNION}) {
    const int id = btf__find_by_name_kind(btf_, n.c_str(), kind);
    if (id > 0) return static_cast<std::uint32_t>(id);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> KernelTypes::size_of(std::string_view type) const {
  auto id = struct_id(type);
  if (!id) return std::nullopt;
  const long size = btf__resolve_size(btf_, *id);
  if (size <= 0) return std::nullopt;
  return static_cast<std::uint32_t>(size);
}

std::optional<MemberRef> KernelTypes::member(std::string_view type, std::string_view path) const {
  auto id = struct_id(type);
  if (!id) return std::nullopt;
  std::uint32_t cur = *id;
  std::uint32_t offset = 0;
  while (true) {
    const std::size_t dot = path.find('.');
    const std::string_view step = path.substr(0, dot);
    auto m = direct(btf_, cur, step, 0);
    if (!m) return std::nullopt;
    offset += m->offset;
    if (dot == std::string_view::npos) return MemberRef{offset, m->size};
    auto t = member_type(btf_, cur, step, 0);
    if (!t || !resolved(btf_, *t, &cur)) return std::nullopt;
    path = path.substr(dot + 1);
  }
}

std::optional<std::int64_t> KernelTypes::enumerator(std::string_view enum_type,
                                                    std::string_view name) const {
  if (!btf_) return std::nullopt;
  const std::string n(enum_type);
  int id = btf__find_by_name_kind(btf_, n.c_str(), BTF_KIND_ENUM);
  if (id <= 0) id = btf__find_by_name_kind(btf_, n.c_str(), BTF_KIND_ENUM64);
  if (id <= 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(btf_, static_cast<std::uint32_t>(id));
  if (btf_is_enum(t)) {
    const struct btf_enum* e = btf_enum(t);
    for (unsigned short i = 0; i < btf_vlen(t); ++i, ++e)
      if (name == btf__name_by_offset(btf_, e->name_off)) return e->val;
  } else {
    const struct btf_enum64* e = btf_enum64(t);
    for (unsigned short i = 0; i < btf_vlen(t); ++i, ++e)
      if (name == btf__name_by_offset(btf_, e->name_off))
        return static_cast<std::int64_t>(btf_enum64_value(e));
  }
  return std::nullopt;
}

std::optional<std::uint32_t> KernelTypes::var_offset(std::string_view section,
                                                     std::string_view name) const {
  if (!btf_) return std::nullopt;
  const std::string s(section);
  const int id = btf__find_by_name_kind(btf_, s.c_str(), BTF_KIND_DATASEC);
  if (id <= 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(btf_, static_cast<std::uint32_t>(id));
  const struct btf_var_secinfo* v = btf_var_secinfos(t);
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++v) {
    const struct btf_type* var = btf__type_by_id(btf_, v->type);
    if (var && name == btf__name_by_offset(btf_, var->name_off)) return v->offset;
  }
  return std::nullopt;
}

}  // namespace scxsnap::capture_detail
