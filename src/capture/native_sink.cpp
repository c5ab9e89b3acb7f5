// SPDX-License-Identifier: Apache-2.0
#include "native_sink.hpp"

#include "kernel_abi.hpp"

#include <bpf/bpf.h>

namespace scxsnap::capture_detail {
namespace {

using native::Shape;

// The source key of vmlinux BTF in the merge (program BTF: its kernel id).
constexpr std::uint64_t kVmlinuxKey = std::uint64_t{1} << 32;

Shape shape_of(const MapInfo& info) {
  switch (info.type) {
    case BPF_MAP_TYPE_ARRAY:
      return info.max_entries == 1 ? Shape::Value : Shape::ArrayEntries;
    case BPF_MAP_TYPE_PERCPU_ARRAY:
      return Shape::PercpuEntries;
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
    case BPF_MAP_TYPE_CPUMAP:
      return Shape::Entries;
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      return Shape::PercpuHashEntries;
    case BPF_MAP_TYPE_TASK_STORAGE:
    case kMapTypeCgrpStorage:
      return Shape::OwnerEntries;
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
    case BPF_MAP_TYPE_STRUCT_OPS:
      return Shape::Value;
    default:
      return Shape::None;
  }
}

}  // namespace

void NativeSink::begin(const MapInfo& info, ReadContext& ctx) {
  const Shape shape = shape_of(info);
  const bool percpu = shape == Shape::PercpuEntries || shape == Shape::PercpuHashEntries;
  const std::uint32_t value_bytes =
      percpu ? (info.value_size + 7) / 8 * 8 * ctx.ncpus : info.value_size;
  std::uint32_t record = 0;
  if (shape == Shape::Value)
    record = info.value_size;
  else if (shape != Shape::OwnerEntries && shape != Shape::None)
    record = info.key_size + value_bytes;
  w_.begin_map(shape, shape == Shape::Value ? 0 : info.key_size, record, info.id);
  if (shape == Shape::None) return;

  // The types that render the contents, copied into the file's BTF.
  std::optional<std::uint32_t> key, value;
  if (info.type == BPF_MAP_TYPE_STRUCT_OPS) {
    if (ctx.btfs.vmlinux() && ctx.btfs.vmlinux_btf())
      if (auto h = w_.btf().add_root(ctx.btfs.vmlinux_btf(), kVmlinuxKey,
                                     info.btf_vmlinux_value_type_id))
        value = *h;
  } else if (info.btf_id != 0 && ctx.btfs.by_id(info.btf_id)) {
    const struct btf* src = ctx.btfs.raw(info.btf_id);
    std::uint32_t vt = info.btf_value_type_id;
    if (vt == 0) vt = ctx.btfs.declared_value_type(info.btf_id, info.name);
    if (shape == Shape::Entries || shape == Shape::PercpuHashEntries)
      if (auto h = w_.btf().add_root(src, info.btf_id, info.btf_key_type_id)) key = *h;
    if (auto h = w_.btf().add_root(src, info.btf_id, vt)) value = *h;
  }
  w_.set_types(key, value);
}

}  // namespace scxsnap::capture_detail
