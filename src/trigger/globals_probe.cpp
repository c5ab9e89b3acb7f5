// SPDX-License-Identifier: Apache-2.0
// Global sections sampled without a capture (globals_probe.hpp).
#include "globals_probe.hpp"

#include "btf/map_contents.hpp"

#include <linux/bpf.h>

#include <cstring>
#include <fmt/format.h>

namespace scxsnap::trigger_detail {

std::unique_ptr<GlobalsProbe> GlobalsProbe::open(capture_detail::KernelSource& src,
                                                 const FailureDumpReport& first,
                                                 const CaptureOptions& options) {
  std::unique_ptr<GlobalsProbe> p(new GlobalsProbe(src, options.max_array_elements));
  p->limits_.max_value_bytes = options.max_value_bytes;
  p->base_ = first;
  p->base_.maps.clear();
  for (const FailureDumpMap& m : first.maps) {
    // A global section: a 1-entry array with a BTF value type.
    if (m.map_type != BPF_MAP_TYPE_ARRAY || m.max_entries != 1 || m.map_id == 0) continue;
    Section s;
    s.fd = capture_detail::Fd(src.open_map(m.map_id));
    if (!s.fd.valid()) return nullptr;
    bpf_map_info info{};
    if (src.map_info(s.fd.get(), &info) != 0 || info.btf_value_type_id == 0 || info.btf_id == 0)
      continue;
    s.value_size = info.value_size;
    s.value_type = info.btf_value_type_id;
    s.btf_id = info.btf_id;
    if (!p->btfs_.by_id(s.btf_id)) return nullptr;
    if ((info.map_flags & BPF_F_MMAPABLE) == 0 ||
        src.map_value(m.map_id, info.value_size, &s.mapped) != 0)
      s.buffer.resize(info.value_size);
    s.meta = m;
    s.meta.value.reset();
    s.meta.entries.clear();
    s.meta.error.reset();
    p->sections_.push_back(std::move(s));
  }
  if (p->sections_.empty()) return nullptr;
  return p;
}

FailureDumpReport GlobalsProbe::sample() {
  FailureDumpReport r = base_;
  for (Section& s : sections_) {
    FailureDumpMap m = s.meta;
    std::span<const std::uint8_t> bytes;
    if (s.mapped) {
      bytes = s.mapped->bytes();
    } else {
      std::uint32_t key = 0;
      if (int rc = src_.lookup(s.fd.get(), &key, s.buffer.data()); rc != 0) {
        m.error = fmt::format("lookup of key 0 failed: {}", std::strerror(-rc));
        r.maps.push_back(std::move(m));
        continue;
      }
      bytes = s.buffer;
    }
    auto renderer = btfs_.by_id(s.btf_id);
    if (renderer) {
      map_contents::CutLog cut;
      m.value = map_contents::value_tree(bytes.first(s.value_size),
                                         map_contents::Side{*renderer, s.value_type}, limits_, cut);
      if (cut.values) m.error = map_contents::cut_error(cut, limits_.max_value_bytes);
    } else {
      m.error = renderer.error().message();
    }
    r.maps.push_back(std::move(m));
  }
  return r;
}

}  // namespace scxsnap::trigger_detail
