// SPDX-License-Identifier: Apache-2.0
// Kernel types by name, from BTF: where a member is (through anonymous
// structs and unions, by a dotted path), how big a type is, what an
// enumerator is worth, where a per-CPU variable sits in its section. The
// kernel walker takes every offset from here and none from headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

struct btf;

namespace scxsnap::capture_detail {

/// A member's place: bytes from the start of the outermost struct, and its size.
struct MemberRef {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

class KernelTypes {
 public:
  explicit KernelTypes(const struct btf* b) : btf_(b) {}
  const struct btf* btf() const { return btf_; }

  /// A struct's (or union's) size; nullopt when BTF has no complete type of that name.
  std::optional<std::uint32_t> size_of(std::string_view type) const;
  /// `path` ("scx.dsq_list.node") in struct `type`; nullopt when any step is
  /// missing or a bitfield.
  std::optional<MemberRef> member(std::string_view type, std::string_view path) const;
  /// An enumerator's value in `enum_type` (nullopt when either is absent).
  std::optional<std::int64_t> enumerator(std::string_view enum_type, std::string_view name) const;
  /// The offset of variable `name` in the DATASEC `section` (".data..percpu").
  std::optional<std::uint32_t> var_offset(std::string_view section, std::string_view name) const;

 private:
  std::optional<std::uint32_t> struct_id(std::string_view type) const;
  const struct btf* btf_;
};

}  // namespace scxsnap::capture_detail
