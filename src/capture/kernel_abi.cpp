// SPDX-License-Identifier: Apache-2.0
// Kernel facts from headers and BTF (kernel_abi.hpp).
#include "kernel_abi.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <string_view>

namespace scxsnap::capture_detail {

std::optional<std::uint32_t> struct_ops_link_map_id(const struct bpf_link_info& info,
                                                    std::size_t info_len) {
  constexpr std::size_t kUnion = offsetof(struct bpf_link_info, raw_tracepoint);
  if (info.type != BPF_LINK_TYPE_STRUCT_OPS || info_len < kUnion + sizeof(std::uint32_t))
    return std::nullopt;
  std::uint32_t id = 0;
  std::memcpy(&id, reinterpret_cast<const char*>(&info) + kUnion, sizeof id);
  if (id == 0) return std::nullopt;
  return id;
}

namespace {

// Byte offset of the member `name` in struct `type_id`, looking into nested
// structs too; nullopt when absent.
std::optional<std::uint32_t> member_offset(const struct btf* b, std::uint32_t type_id,
                                           std::string_view name, int depth = 0) {
  const int resolved = btf__resolve_type(b, type_id);
  if (resolved < 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(b, static_cast<std::uint32_t>(resolved));
  if (!t || !btf_is_struct(t) || depth > 4) return std::nullopt;
  const struct btf_member* m = btf_members(t);
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++m) {
    const std::uint32_t bits = btf_member_bit_offset(t, i);
    if (bits % 8) continue;
    if (name == btf__name_by_offset(b, m->name_off)) return bits / 8;
    if (auto inner = member_offset(b, m->type, name, depth + 1)) return bits / 8 + *inner;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> enumerator(const struct btf* b, const char* type, const char* name) {
  const int id = btf__find_by_name_kind(b, type, BTF_KIND_ENUM);
  if (id <= 0) return std::nullopt;
  const struct btf_type* t = btf__type_by_id(b, static_cast<std::uint32_t>(id));
  const struct btf_enum* e = btf_enum(t);
  for (unsigned short i = 0; i < btf_vlen(t); ++i, ++e)
    if (std::strcmp(btf__name_by_offset(b, e->name_off), name) == 0)
      return static_cast<std::uint32_t>(e->val);
  return std::nullopt;
}

}  // namespace

std::optional<StructOpsState> struct_ops_state(const struct btf* vmlinux,
                                               std::uint32_t value_type_id) {
  if (!vmlinux) return std::nullopt;
  auto offset = member_offset(vmlinux, value_type_id, "state");
  auto in_use = enumerator(vmlinux, "bpf_struct_ops_state", "BPF_STRUCT_OPS_STATE_INUSE");
  if (!offset || !in_use) return std::nullopt;
  return StructOpsState{*offset, *in_use};
}

std::optional<ArenaLayout> arena_layout(const struct btf* vmlinux) {
  if (!vmlinux) return std::nullopt;
  const int arena = btf__find_by_name_kind(vmlinux, "bpf_arena", BTF_KIND_STRUCT);
  const int vm = btf__find_by_name_kind(vmlinux, "vm_struct", BTF_KIND_STRUCT);
  if (arena <= 0 || vm <= 0) return std::nullopt;
  const auto a = static_cast<std::uint32_t>(arena);
  const auto v = static_cast<std::uint32_t>(vm);
  auto start = member_offset(vmlinux, a, "user_vm_start");
  auto end = member_offset(vmlinux, a, "user_vm_end");
  auto kern = member_offset(vmlinux, a, "kern_vm");
  auto addr = member_offset(vmlinux, v, "addr");
  auto size = member_offset(vmlinux, v, "size");
  auto flags = member_offset(vmlinux, v, "flags");
  if (!start || !end || !kern || !addr || !size || !flags) return std::nullopt;
  ArenaLayout l{*start, *end, *kern, *addr, *size, *flags, std::nullopt};
  const int rb = btf__find_by_name_kind(vmlinux, "rb_node", BTF_KIND_STRUCT);
  const int rn = btf__find_by_name_kind(vmlinux, "range_node", BTF_KIND_STRUCT);
  if (rb <= 0 || rn <= 0) return l;
  const auto rbid = static_cast<std::uint32_t>(rb);
  const auto rnid = static_cast<std::uint32_t>(rn);
  // it_root is an rb_root_cached whose first member's first member is the
  // root node pointer: rt.it_root.rb_root.rb_node.
  auto rt = member_offset(vmlinux, a, "rt");
  auto in = [&](const char* type, const char* member) -> std::optional<std::uint32_t> {
    const int t = btf__find_by_name_kind(vmlinux, type, BTF_KIND_STRUCT);
    if (t <= 0) return std::nullopt;
    return member_offset(vmlinux, static_cast<std::uint32_t>(t), member);
  };
  auto it_root = in("range_tree", "it_root");
  auto cached = in("rb_root_cached", "rb_root");
  auto root_node = in("rb_root", "rb_node");
  auto left = member_offset(vmlinux, rbid, "rb_left");
  auto right = member_offset(vmlinux, rbid, "rb_right");
  auto node = member_offset(vmlinux, rnid, "rn_rbnode");
  auto first = member_offset(vmlinux, rnid, "rn_start");
  auto last = member_offset(vmlinux, rnid, "rn_last");
  const struct btf_type* rnt = btf__type_by_id(vmlinux, rnid);
  if (rt && it_root && cached && root_node && left && right && node && first && last && rnt)
    l.free_tree = ArenaLayout::FreeTree{
        *rt + *it_root + *cached + *root_node, *left, *right, *node, *first, *last, rnt->size};
  return l;
}

std::optional<std::uint64_t> arena_kern_vm_start(std::uint64_t vm_addr, std::uint64_t vm_size,
                                                 std::uint64_t vm_flags, std::uint64_t page_size) {
  const std::uint64_t usable = (vm_flags & kVmNoGuard) ? vm_size : vm_size - page_size;
  if (vm_addr == 0 || vm_size <= page_size || usable <= kArenaSpan) return std::nullopt;
  const std::uint64_t guard = usable - kArenaSpan;
  if (guard % (2 * page_size) != 0) return std::nullopt;
  return vm_addr + guard / 2;
}

}  // namespace scxsnap::capture_detail
