// SPDX-License-Identifier: Apache-2.0
// The BTF a native snapshot carries: the types its maps' keys and values use,
// copied from each program's BTF object and from vmlinux (struct_ops values)
// with everything they refer to (a struct behind a pointer as a forward
// declaration), then deduplicated by libbpf into one BTF.
// Each root is anchored by a VAR named __scxsnap_anchor_N, so its id is found
// again after deduplication renumbers the types.
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

struct btf;

namespace scxsnap::native {

class BtfMerge {
 public:
  BtfMerge();
  ~BtfMerge();
  BtfMerge(const BtfMerge&) = delete;
  BtfMerge& operator=(const BtfMerge&) = delete;

  /// Copy `type_id` of `src` and the types it refers to (each source type
  /// once); the returned handle gives its id after finish(). Type 0 (void,
  /// or no type) stays 0. `src_key` names the source for as long as the merge
  /// lives (a kernel BTF id; a series' samples load the same BTF again).
  /// A struct or union reached only through a pointer is copied as a
  /// forward declaration unless `pointees` (when the snapshot holds an arena
  /// its pointers may lead into).
  Result<std::uint32_t> add_root(const struct btf* src, std::uint64_t src_key,
                                 std::uint32_t type_id, bool pointees = false);
  /// Deduplicate (libbpf's btf__dedup) and resolve the handles.
  Result<void> finish();
  std::uint32_t type_of(std::uint32_t handle) const { return resolved_.at(handle); }
  /// The merged BTF's raw bytes (after finish()).
  std::span<const std::uint8_t> raw() const;

 private:
  Result<std::uint32_t> copy_closure(const struct btf* src, std::uint64_t src_key,
                                     std::uint32_t type_id);
  struct Key {
    std::uint64_t src;
    std::uint32_t id;
    bool behind;  // reached through a pointer
    auto operator<=>(const Key&) const = default;
  };
  struct btf* dst_;
  std::map<Key, std::uint32_t> copied_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint32_t> roots_;  // -> handle
  std::vector<std::uint32_t> resolved_;  // handle -> id (before finish: the copy's id)
};

}  // namespace scxsnap::native
