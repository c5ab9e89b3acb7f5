// SPDX-License-Identifier: Apache-2.0
#include "btf_cache.hpp"

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
    int err = 0;
    vmlinux_ = src_.vmlinux_btf(&err);
    if (!vmlinux_) vmlinux_error_ = fmt::format("cannot load vmlinux BTF: {}", std::strerror(-err));
  }
  return vmlinux_;
}

Result<BtfRenderer*> BtfCache::add(std::uint32_t key, struct btf* b) {
  Entry e;
  e.btf = b;
  e.renderer = std::make_unique<BtfRenderer>(b, max_array_elements_);
  e.round = round_;
  BtfRenderer* r = e.renderer.get();
  entries_.emplace(key, std::move(e));
  return r;
}

void BtfCache::end_round() {
  constexpr std::uint32_t kVmlinuxKey = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->first == kVmlinuxKey || it->second.round == round_) {
      ++it;
      continue;
    }
    it->second.renderer.reset();
    btf__free(it->second.btf);
    it = entries_.erase(it);
  }
}

Result<BtfRenderer*> BtfCache::vmlinux() {
  constexpr std::uint32_t kVmlinuxKey = 0;  // BTF object ids start at 1
  if (auto it = entries_.find(kVmlinuxKey); it != entries_.end()) return it->second.renderer.get();
  if (!vmlinux_btf()) return Error(ErrorCode::Unsupported, vmlinux_error_);
  // The renderer borrows vmlinux_; the cache entry does not own it.
  Entry e;
  e.renderer = std::make_unique<BtfRenderer>(vmlinux_, max_array_elements_);
  BtfRenderer* r = e.renderer.get();
  entries_.emplace(kVmlinuxKey, std::move(e));
  return r;
}

Result<BtfRenderer*> BtfCache::by_id(std::uint32_t id) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    it->second.round = round_;
    return it->second.renderer.get();
  }
  // Module BTF is split on top of vmlinux: it is loaded first.
  SCXSNAP_TRY(struct btf * b, src_.btf_by_id(id, [this] { return vmlinux_btf(); }));
  return add(id, b);
}

}  // namespace scxsnap::capture_detail

namespace scxsnap::capture_detail {

std::uint32_t BtfCache::declared_value_type(std::uint32_t btf_id, std::string_view map_name) const {
  const struct btf* b = raw(btf_id);
  if (!b || map_name.empty()) return 0;
  int sec = btf__find_by_name_kind(b, ".maps", BTF_KIND_DATASEC);
  if (sec <= 0) return 0;
  const struct btf_type* ds = btf__type_by_id(b, static_cast<std::uint32_t>(sec));
  const struct btf_var_secinfo* vs = btf_var_secinfos(ds);
  for (std::uint16_t i = 0; i < btf_vlen(ds); ++i) {
    const struct btf_type* var = btf__type_by_id(b, vs[i].type);
    if (!var || !btf_is_var(var)) continue;
    std::string_view name = btf__name_by_offset(b, var->name_off);
    // The kernel keeps 15 characters of a map's name.
    if (!(name == map_name || (map_name.size() == 15 && name.starts_with(map_name)))) continue;
    const struct btf_type* def = btf__type_by_id(b, var->type);
    if (!def || !btf_is_struct(def)) return 0;
    const struct btf_member* m = btf_members(def);
    for (std::uint16_t j = 0; j < btf_vlen(def); ++j) {
      if (std::string_view(btf__name_by_offset(b, m[j].name_off)) != "value") continue;
      const struct btf_type* ptr = btf__type_by_id(b, m[j].type);
      return ptr && btf_is_ptr(ptr) ? ptr->type : 0;
    }
    return 0;
  }
  return 0;
}

}  // namespace scxsnap::capture_detail
