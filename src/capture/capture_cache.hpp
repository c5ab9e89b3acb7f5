// SPDX-License-Identifier: Apache-2.0
// What the captures of one session share: everything the kernel says that
// cannot change while the thing it describes lives. BTF objects with their
// layout plans (btf_cache.hpp); each map's description (name, type, sizes,
// BTF ids: fixed when the map is made), so that a map the filters do not
// select is not opened again; each program's BTF id and map ids (fixed at
// load); the number of possible CPUs; the host's name and kernel release. A capture is a round:
// what no capture asked for in the last round (a map or program that is gone) is dropped at its
// end. A one-shot capture makes its own cache and drops it; `CaptureSession` keeps one (watch,
// serve).
#pragma once

#include "btf_cache.hpp"
#include "kernel_source.hpp"
#include "kernel_walk.hpp"
#include "map_reader.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace scxsnap::capture_detail {

/// A program's fixed facts (kernel_source.hpp's ProgInfo without its counters).
struct ProgFacts {
  std::uint32_t btf_id = 0;
  std::vector<std::uint32_t> map_ids;
};

class CaptureCache {
 public:
  CaptureCache(KernelSource& src, std::uint32_t max_array_elements)
      : src_(src), btfs_(src, max_array_elements) {}
  CaptureCache(const CaptureCache&) = delete;
  CaptureCache& operator=(const CaptureCache&) = delete;

  KernelSource& source() { return src_; }
  BtfCache& btfs() { return btfs_; }

  /// A listed map's description, asked of the kernel once (nullptr and the
  /// errno when the map cannot be opened or described now).
  const MapInfo* map_info(std::uint32_t id, int* err, const char** step);

  /// A program's fixed facts, asked once; nullopt when it cannot be read.
  const ProgFacts* prog_facts(std::uint32_t id);

  void begin_round();
  void end_round();

  int possible_cpus();
  /// Host name and kernel release, asked once a session.
  const HostIdentity& host();
  /// The kernel walker (its reader and anchors programs loaded, each CPU's
  /// runqueue found), opened at the first call of a session and kept; so is
  /// the error when it cannot be opened (no root, no BTF).
  Result<KernelWalk*> kernel_walk();
  std::size_t btf_objects() const { return btfs_.objects(); }
  bool knows_map(std::uint32_t id) const { return maps_.contains(id); }
  bool knows_btf(std::uint32_t id) const { return btfs_.raw(id) != nullptr; }
  std::size_t maps_known() const { return maps_.size(); }
  std::size_t progs_known() const { return progs_.size(); }

 private:
  KernelSource& src_;
  BtfCache btfs_;
  template <class T>
  struct Kept {
    T value;
    std::uint64_t round;
  };
  std::unordered_map<std::uint32_t, Kept<MapInfo>> maps_;
  std::unordered_map<std::uint32_t, Kept<ProgFacts>> progs_;
  std::uint64_t round_ = 0;
  std::optional<int> possible_cpus_;
  std::optional<HostIdentity> host_;
  std::unique_ptr<KernelWalk> walk_;
  std::optional<Error> walk_error_;
};

}  // namespace scxsnap::capture_detail
