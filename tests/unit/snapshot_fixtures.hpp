// Fixtures of the Snapshot tests, built as the reference spec §5 describes.
#pragma once

#include "scxsnap/scxsnap.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace fx {

using namespace scxsnap;

inline RenderedValue uint_v(std::uint64_t v, std::uint32_t bits = 64) {
  return RenderedValue::make_uint(bits, v);
}
inline RenderedValue int_v(std::int64_t v, std::uint32_t bits = 32) {
  return RenderedValue::make_int(bits, v);
}
inline RenderedValue float_v(double v) {
  return RenderedValue::make_float(64, v);
}
inline RenderedValue strukt(std::string_view type, std::vector<RenderedMember> m) {
  return RenderedValue::make_struct(type, std::move(m));
}
inline RenderedValue array_v(std::vector<RenderedValue> e) {
  auto n = e.size();
  return RenderedValue::make_array(n, std::move(e));
}

inline FailureDumpMap make_global_map(std::string name, std::vector<RenderedMember> members,
                                      std::uint64_t kva = 0) {
  FailureDumpMap m;
  m.name = std::move(name);
  m.map_kva = kva;
  m.map_type = 2;
  m.value_size = 8;
  m.max_entries = 1;
  std::string section = m.name.substr(m.name.rfind('.'));
  m.value = RenderedValue::make_struct(section, std::move(members));
  return m;
}

inline FailureDumpMap make_errored_map(std::string name, std::string err) {
  FailureDumpMap m;
  m.name = std::move(name);
  m.map_type = 2;
  m.value_size = 8;
  m.max_entries = 1;
  m.error = std::move(err);
  return m;
}

/// Placeholder-derived (so the *_unavailable fields are set) but not a placeholder.
inline FailureDumpReport make_report_with_maps(std::vector<FailureDumpMap> maps) {
  FailureDumpReport r = FailureDumpReport::placeholder("test fixture");
  r.is_placeholder = false;
  r.maps = std::move(maps);
  return r;
}

inline FailureDumpMap hash_map(std::string name,
                               std::vector<std::pair<std::uint64_t, RenderedValue>> kv) {
  FailureDumpMap m;
  m.name = std::move(name);
  m.map_type = 1;
  m.value_size = 16;
  m.max_entries = 1024;
  for (auto& [k, v] : kv) {
    FailureDumpEntry e;
    e.key = uint_v(k, 32);
    e.key_hex = "00 00 00 00";
    e.value = std::move(v);
    e.value_hex = "00";
    m.entries.push_back(std::move(e));
  }
  return m;
}

inline RenderedValue task_ctx(std::int64_t tid, std::uint64_t runtime) {
  return strukt("task_ctx", {{"tid", int_v(tid)}, {"runtime_ns", uint_v(runtime)}});
}

inline FailureDumpMap percpu_map(std::string name,
                                 std::vector<std::optional<RenderedValue>> slots) {
  FailureDumpMap m;
  m.name = std::move(name);
  m.map_type = 6;
  m.value_size = 8;
  m.max_entries = 1;
  m.percpu_entries.push_back(FailureDumpPercpuEntry{0, std::move(slots)});
  return m;
}

inline FailureDumpReport synthetic_report() {
  std::vector<RenderedMember> bss = {
      {"nr_cpus_onln", uint_v(4, 32)},
      {"stall", uint_v(1, 8)},
      {"balance_factor", float_v(1.5)},
      {"ctx",
       strukt("scx_ctx", {{"weight", uint_v(1024, 32)},
                          {"policy", RenderedValue::make_enum(32, 1, "SCHED_NORMAL", false)}})},
      {"leader", RenderedValue::make_ptr(0xffff800000001000ull,
                                         strukt("task_struct", {{"pid", int_v(1234)}}))},
  };
  return make_report_with_maps({
      make_global_map("bpf.bss", std::move(bss)),
      hash_map("scx_per_task", {{100, task_ctx(100, 5'000'000)}, {200, task_ctx(200, 9'000'000)}}),
      percpu_map("scx_pcpu", {uint_v(11), uint_v(22), std::nullopt, uint_v(44)}),
  });
}

}  // namespace fx
