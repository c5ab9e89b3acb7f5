// SPDX-License-Identifier: Apache-2.0
#include "capture_cache.hpp"

#include "fd.hpp"

#include <bpf/bpf.h>

namespace scxsnap::capture_detail {

const MapInfo* CaptureCache::map_info(std::uint32_t id, int* err, const char** step) {
  if (auto it = maps_.find(id); it != maps_.end()) {
    it->second.round = round_;
    return &it->second.value;
  }
  const int fd = src_.open_map(id);
  if (fd < 0) {
    *err = fd;
    *step = "open the map read-only";
    return nullptr;
  }
  Fd owned(fd);
  bpf_map_info raw{};
  if (int rc = src_.map_info(owned.get(), &raw); rc != 0) {
    *err = rc;
    *step = "read the map's info";
    return nullptr;
  }
  return &maps_.emplace(id, Kept<MapInfo>{to_map_info(raw), round_}).first->second.value;
}

const ProgFacts* CaptureCache::prog_facts(std::uint32_t id) {
  if (auto it = progs_.find(id); it != progs_.end()) {
    it->second.round = round_;
    return &it->second.value;
  }
  ProgRecord p;
  if (src_.prog_info(id, false, &p) != 0) return nullptr;
  return &progs_.emplace(id, Kept<ProgFacts>{ProgFacts{p.btf_id, std::move(p.map_ids)}, round_})
              .first->second.value;
}

void CaptureCache::begin_round() {
  ++round_;
  btfs_.begin_round();
}

void CaptureCache::end_round() {
  std::erase_if(maps_, [&](const auto& e) { return e.second.round != round_; });
  std::erase_if(progs_, [&](const auto& e) { return e.second.round != round_; });
  btfs_.end_round();
}

const HostIdentity& CaptureCache::host() {
  if (!host_) host_ = src_.host();
  return *host_;
}

int CaptureCache::possible_cpus() {
  if (!possible_cpus_) possible_cpus_ = src_.possible_cpus();
  return *possible_cpus_;
}

Result<KernelWalk*> CaptureCache::kernel_walk() {
  if (walk_) return walk_.get();
  if (walk_error_) return *walk_error_;
  auto w = KernelWalk::open(src_, btfs_.vmlinux_btf());
  if (!w) {
    walk_error_ = w.error();
    return w.error();
  }
  walk_ = std::move(*w);
  return walk_.get();
}

}  // namespace scxsnap::capture_detail
