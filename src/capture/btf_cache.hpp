// SPDX-License-Identifier: Apache-2.0
// Kernel BTF objects loaded once per capture, each with its renderer (and so
// its cache of layout plans).
#pragma once

#include "scxsnap/btf_render.hpp"
#include "scxsnap/result.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

struct btf;

namespace scxsnap::capture_detail {

class BtfCache {
 public:
  BtfCache() = default;
  ~BtfCache();
  BtfCache(const BtfCache&) = delete;
  BtfCache& operator=(const BtfCache&) = delete;

  /// The renderer for kernel BTF object `id` (program or module BTF).
  Result<BtfRenderer*> by_id(std::uint32_t id);
  /// The renderer for vmlinux BTF (struct_ops values).
  Result<BtfRenderer*> vmlinux();
  const struct btf* vmlinux_btf();

 private:
  struct Entry {
    struct btf* btf = nullptr;
    std::unique_ptr<BtfRenderer> renderer;
  };
  Result<BtfRenderer*> add(std::uint32_t key, struct btf* b);
  std::map<std::uint32_t, Entry> entries_;
  struct btf* vmlinux_ = nullptr;
  std::string vmlinux_error_;
  bool vmlinux_tried_ = false;
};

}  // namespace scxsnap::capture_detail
