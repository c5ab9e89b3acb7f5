// SPDX-License-Identifier: Apache-2.0
#include "native_sink.hpp"

#include "btf/map_contents.hpp"

#include <bpf/bpf.h>

#include <cstring>
#include <unistd.h>

namespace scxsnap::capture_detail {
namespace {

using native::Shape;

// The source key of vmlinux BTF in the merge (program BTF: its kernel id).
constexpr std::uint64_t kVmlinuxKey = std::uint64_t{1} << 32;

}  // namespace

void NativeSink::begin_map(const MapInfo& info, FailureDumpMap&) {
  ReadContext& ctx = ctx_;
  const Shape shape = content_shape(info);
  const bool percpu = shape == Shape::PercpuEntries || shape == Shape::PercpuHashEntries;
  const std::uint32_t value_bytes =
      percpu ? (info.value_size + 7) / 8 * 8 * ctx.ncpus : info.value_size;
  std::uint32_t record = 0, key_size = info.key_size;
  if (shape == Shape::Value) {
    record = info.value_size;
    key_size = 0;
  } else if (shape == Shape::ArenaPages) {
    key_size = sizeof(std::uint64_t);  // the page's user address
    record = key_size + static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE));
  } else if (shape != Shape::OwnerEntries && shape != Shape::None) {
    record = info.key_size + value_bytes;
  }
  w_.begin_map(shape, key_size, record, info.id);
  w_.set_kernel_info(native::KernelMapInfo{info.map_flags, info.key_size, info.btf_key_type_id,
                                           info.btf_value_type_id, info.btf_vmlinux_value_type_id,
                                           info.map_extra});
  if (shape == Shape::None || shape == Shape::ArenaPages) return;

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
    // Pointers into a captured arena are followed when rendered: their
    // targets' types come along.
    const bool pointees = static_cast<bool>(ctx.limits.follow_pointer);
    if (shape == Shape::Entries || shape == Shape::PercpuHashEntries)
      if (auto h = w_.btf().add_root(src, info.btf_id, info.btf_key_type_id, pointees)) key = *h;
    if (auto h = w_.btf().add_root(src, info.btf_id, vt, pointees)) value = *h;
  }
  w_.set_types(key, value);
}

bool NativeSink::owner_entry(const RenderedValue& owner, Bytes key_bytes, Bytes value) {
  w_.owner_entry(map_contents::owner_key_json(owner), key_bytes, value);
  return true;
}

void NativeSink::arena_page(const ArenaPage& page) {
  std::uint8_t key[sizeof page.user_addr];
  std::memcpy(key, &page.user_addr, sizeof key);
  w_.entry(key, page.bytes);
}

void NativeSink::end_map(CapturedMap&& cm) {
  w_.end_map();
  maps_.push_back(std::move(cm));
}

}  // namespace scxsnap::capture_detail
