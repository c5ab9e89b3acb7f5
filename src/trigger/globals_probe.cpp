// SPDX-License-Identifier: Apache-2.0
// Global sections sampled without a capture (globals_probe.hpp).
#include "globals_probe.hpp"

#include "btf/map_contents.hpp"

#include <bpf/btf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <set>

namespace scxsnap::trigger_detail {

std::unique_ptr<GlobalsProbe> GlobalsProbe::open(capture_detail::KernelSource& src,
                                                 const FailureDumpReport& first,
                                                 const CaptureOptions& options,
                                                 std::span<const std::string> vars) {
  std::unique_ptr<GlobalsProbe> p(new GlobalsProbe(src, options.max_array_elements));
  p->limits_.max_value_bytes = options.max_value_bytes;
  // Only what var: reads besides the sections: which object is active. The
  // report is copied for each sample the conditions compare.
  p->base_.active_obj_name = first.active_obj_name;
  p->base_.active_map_ids = first.active_map_ids;
  std::set<std::string> found;
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
    s.btf_id = info.btf_id;
    if (!p->btfs_.by_id(s.btf_id)) return nullptr;
    // The variables asked for, from the section's DATASEC.
    const struct btf* b = p->btfs_.raw(s.btf_id);
    const struct btf_type* sec = b ? btf__type_by_id(b, info.btf_value_type_id) : nullptr;
    if (!sec || !btf_is_datasec(sec)) continue;
    s.datasec = btf__name_by_offset(b, sec->name_off);
    const struct btf_var_secinfo* vi = btf_var_secinfos(sec);
    for (unsigned short i = 0; i < btf_vlen(sec); ++i, ++vi) {
      const struct btf_type* var = btf__type_by_id(b, vi->type);
      const std::string_view name = var ? btf__name_by_offset(b, var->name_off) : "";
      if (std::ranges::find(vars, name) == vars.end()) continue;
      if (std::uint64_t{vi->offset} + vi->size > info.value_size) return nullptr;
      s.vars.push_back({SharedName(name), vi->type, vi->offset, vi->size});
      found.insert(std::string(name));
    }
    if (s.vars.empty()) continue;
    if ((info.map_flags & BPF_F_MMAPABLE) == 0 ||
        src.map_value(m.map_id, info.value_size, &s.mapped) != 0)
      s.buffer.resize(info.value_size);
    s.meta = m;
    s.meta.value.reset();
    s.meta.entries.clear();
    s.meta.error.reset();
    p->sections_.push_back(std::move(s));
  }
  if (p->sections_.empty() ||
      found.size() != std::set<std::string>(vars.begin(), vars.end()).size())
    return nullptr;
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
      std::vector<RenderedMember> members;
      members.reserve(s.vars.size());
      for (const auto& v : s.vars)
        members.emplace_back(
            v.name, map_contents::value_tree(bytes.subspan(v.offset, v.size),
                                             map_contents::Side{*renderer, v.type}, limits_, cut));
      m.value = RenderedValue::make_struct(std::string_view(s.datasec), std::move(members));
      if (cut.values) m.error = map_contents::cut_error(cut, limits_.max_value_bytes);
    } else {
      m.error = renderer.error().message();
    }
    r.maps.push_back(std::move(m));
  }
  return r;
}

}  // namespace scxsnap::trigger_detail
