// SPDX-License-Identifier: Apache-2.0
#include "btf_cache.hpp"

#include "fd.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail {

BtfCache::~BtfCache() {
  for (auto& [id, e] : entries_) {
    e.renderer.reset();
    btf__free(e.btf);
  }
  btf__free(vmlinux_);
}

const struct btf* BtfCache::vmlinux_btf() {
  if (!vmlinux_tried_) {
    vmlinux_tried_ = true;
    vmlinux_ = btf__load_vmlinux_btf();
    if (!vmlinux_) {
      vmlinux_error_ = fmt::format("cannot load vmlinux BTF: {}", std::strerror(errno));
      vmlinux_ = nullptr;
    }
  }
  return vmlinux_;
}

Result<BtfRenderer*> BtfCache::add(std::uint32_t key, struct btf* b) {
  Entry e;
  e.btf = b;
  e.renderer = std::make_unique<BtfRenderer>(b);
  BtfRenderer* r = e.renderer.get();
  entries_.emplace(key, std::move(e));
  return r;
}

Result<BtfRenderer*> BtfCache::vmlinux() {
  constexpr std::uint32_t kVmlinuxKey = 0;  // BTF object ids start at 1
  if (auto it = entries_.find(kVmlinuxKey); it != entries_.end()) return it->second.renderer.get();
  if (!vmlinux_btf()) return Error(ErrorCode::Unsupported, vmlinux_error_);
  // The renderer borrows vmlinux_; the cache entry does not own it.
  Entry e;
  e.renderer = std::make_unique<BtfRenderer>(vmlinux_);
  BtfRenderer* r = e.renderer.get();
  entries_.emplace(kVmlinuxKey, std::move(e));
  return r;
}

Result<BtfRenderer*> BtfCache::by_id(std::uint32_t id) {
  if (auto it = entries_.find(id); it != entries_.end()) return it->second.renderer.get();
  // Module BTF is split on top of vmlinux; program BTF stands alone.
  Fd fd(bpf_btf_get_fd_by_id(id));
  if (!fd.valid())
    return Error(ErrorCode::NotFound, fmt::format("BTF object {}: {}", id, std::strerror(errno)));
  bpf_btf_info info{};
  char name[64] = {};
  info.name = reinterpret_cast<std::uintptr_t>(name);
  info.name_len = sizeof name;
  std::uint32_t len = sizeof info;
  bool split = false;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0)
    split = info.kernel_btf && std::string_view(name) != "vmlinux";
  struct btf* b = split && vmlinux_btf() ? btf__load_from_kernel_by_id_split(id, vmlinux_)
                                         : btf__load_from_kernel_by_id(id);
  if (!b)
    return Error(ErrorCode::BadInput,
                 fmt::format("cannot load BTF object {}: {}", id, std::strerror(errno)));
  return add(id, b);
}

}  // namespace scxsnap::capture_detail
