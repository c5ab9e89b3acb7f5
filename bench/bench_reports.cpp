#include "bench_reports.hpp"

#include <string>

namespace bench {

using namespace scxsnap;

namespace {
RenderedValue task_value(std::uint32_t i) {
  std::vector<RenderedValue> comm;
  for (int c = 0; c < 16; ++c)
    comm.push_back(RenderedValue::make_char(static_cast<std::uint8_t>('a' + (i + c) % 26)));
  return RenderedValue::make_struct(
      "task_ctx",
      {{"pid", RenderedValue::make_int(32, static_cast<std::int64_t>(i))},
       {"runtime_ns", RenderedValue::make_uint(64, std::uint64_t{i} * 1000003u)},
       {"vtime", RenderedValue::make_uint(64, 0xffff888000000000ull + i)},
       {"state",
        RenderedValue::make_enum(32, i % 3, i % 3 == 0 ? "TASK_RUNNING" : "TASK_SLEEPING", false)},
       {"stats", RenderedValue::make_struct(
                     "task_stats", {{"nr_dispatch", RenderedValue::make_uint(32, i % 977)},
                                    {"nr_migrate", RenderedValue::make_uint(32, i % 31)}})},
       {"comm", RenderedValue::make_array(16, std::move(comm))}});
}
}  // namespace

FailureDumpReport make_hash_report(std::size_t entries, std::size_t percpu_maps, std::size_t cpus) {
  FailureDumpReport r;
  FailureDumpMap h;
  h.name = "task_ctx_map";
  h.map_id = 42;
  h.map_type = 1;
  h.value_size = 64;
  h.max_entries = static_cast<std::uint32_t>(entries);
  h.entries.reserve(entries);
  for (std::size_t i = 0; i < entries; ++i) {
    FailureDumpEntry e;
    auto k = static_cast<std::uint32_t>(i);
    e.key = RenderedValue::make_uint(32, k);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", k & 0xff, (k >> 8) & 0xff,
                  (k >> 16) & 0xff, k >> 24);
    e.key_hex = hex;
    e.value = task_value(k);
    e.value_hex = std::string(191, '0');
    h.entries.push_back(std::move(e));
  }
  r.maps.push_back(std::move(h));
  for (std::size_t m = 0; m < percpu_maps; ++m) {
    FailureDumpMap p;
    p.name = "pcpu_" + std::to_string(m);
    p.map_type = 6;
    p.value_size = 8;
    p.max_entries = 16;
    for (std::uint32_t k = 0; k < 16; ++k) {
      FailureDumpPercpuEntry e;
      e.key = k;
      for (std::size_t c = 0; c < cpus; ++c)
        e.per_cpu.push_back(RenderedValue::make_uint(64, c * 7 + k));
      p.percpu_entries.push_back(std::move(e));
    }
    r.maps.push_back(std::move(p));
  }
  return r;
}

FailureDumpReport make_many_maps_report(std::size_t maps) {
  FailureDumpReport r;
  for (std::size_t i = 0; i < maps; ++i) {
    FailureDumpMap m;
    m.name = "obj" + std::to_string(i) + ".bss";
    m.map_type = 2;
    m.value_size = 64;
    m.max_entries = 1;
    std::vector<RenderedMember> members;
    for (int v = 0; v < 8; ++v)
      members.emplace_back("var" + std::to_string(v) + "_" + std::to_string(i),
                           RenderedValue::make_uint(64, i));
    members.emplace_back("shared", RenderedValue::make_uint(64, i));
    m.value = RenderedValue::make_struct(".bss", std::move(members));
    r.maps.push_back(std::move(m));
  }
  // The last object holds a variable no other object has.
  r.maps.back().value =
      RenderedValue::make_struct(".bss", {{"unique_var", RenderedValue::make_uint(64, 7)}});
  return r;
}

}  // namespace bench
