// SPDX-License-Identifier: Apache-2.0
// Kernel BTF objects (through the KernelSource), each loaded once with its
// renderer (and so its cache of layout plans). A capture session keeps one
// cache across its captures: vmlinux BTF is read once, and a program's BTF
// is kept while some capture uses it (an object that is gone is dropped at
// the end of the next capture: ids are never reused in practice).
#pragma once

#include "kernel_source.hpp"
#include "scxsnap/btf_render.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

struct btf;

namespace scxsnap::capture_detail {

class BtfCache {
 public:
  explicit BtfCache(KernelSource& src,
                    std::uint32_t max_array_elements = BtfRenderer::kDefaultMaxArrayElements)
      : src_(src), max_array_elements_(max_array_elements) {}
  ~BtfCache();
  BtfCache(const BtfCache&) = delete;
  BtfCache& operator=(const BtfCache&) = delete;

  /// The renderer for kernel BTF object `id` (program or module BTF).
  Result<BtfRenderer*> by_id(std::uint32_t id);
  /// The renderer for vmlinux BTF (struct_ops values).
  Result<BtfRenderer*> vmlinux();
  const struct btf* vmlinux_btf();
  /// The BTF object `id` itself (after by_id loaded it), or nullptr.
  const struct btf* raw(std::uint32_t id) const {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : it->second.btf;
  }
  /// The value type the object declared for map `map_name` in its `.maps`
  /// section (`__type(value, T)`), for maps whose kernel info carries none
  /// (queues and stacks); 0 when there is none.
  std::uint32_t declared_value_type(std::uint32_t btf_id, std::string_view map_name) const;

  /// Rounds: objects not asked for (by_id) since begin_round are dropped by
  /// end_round; vmlinux BTF stays.
  void begin_round() { ++round_; }
  void end_round();
  std::size_t objects() const { return entries_.size(); }

 private:
  struct Entry {
    struct btf* btf = nullptr;
    std::unique_ptr<BtfRenderer> renderer;
    std::uint64_t round = 0;  // the last round that asked for it
  };
  Result<BtfRenderer*> add(std::uint32_t key, struct btf* b);
  std::map<std::uint32_t, Entry> entries_;
  struct btf* vmlinux_ = nullptr;
  std::string vmlinux_error_;
  bool vmlinux_tried_ = false;
  std::uint64_t round_ = 0;
  KernelSource& src_;
  std::uint32_t max_array_elements_;
};

}  // namespace scxsnap::capture_detail
