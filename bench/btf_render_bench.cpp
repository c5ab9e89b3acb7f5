// Render throughput for a 64-byte struct value (ints, an enum, a nested struct,
// a char array): scxsnap tree output, scxsnap direct JSON, and libbpf's
// btf_dump__dump_type_data into memory, on the same bytes.
#include "scxsnap/btf_render.hpp"

#include <bpf/btf.h>

#include <benchmark/benchmark.h>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Fixture {
  struct btf* btf = nullptr;
  int type_id = 0;
  std::vector<std::uint8_t> bytes;
  Fixture() {
    btf = btf__new_empty();
    int u32 = btf__add_int(btf, "unsigned int", 4, 0);
    int s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
    int u64 = btf__add_int(btf, "unsigned long long", 8, 0);
    int ch = btf__add_int(btf, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
    int e = btf__add_enum(btf, "task_state", 4);
    btf__add_enum_value(btf, "TASK_RUNNING", 0);
    btf__add_enum_value(btf, "TASK_SLEEPING", 1);
    int inner = btf__add_struct(btf, "task_stats", 16);
    btf__add_field(btf, "nr_dispatch", u64, 0, 0);
    btf__add_field(btf, "nr_migrate", u32, 64, 0);
    btf__add_field(btf, "weight", u32, 96, 0);
    int comm = btf__add_array(btf, u32, ch, 16);
    type_id = btf__add_struct(btf, "task_ctx", 64);
    btf__add_field(btf, "pid", s32, 0, 0);
    btf__add_field(btf, "state", e, 32, 0);
    btf__add_field(btf, "runtime_ns", u64, 64, 0);
    btf__add_field(btf, "vtime", u64, 128, 0);
    btf__add_field(btf, "stats", inner, 192, 0);
    btf__add_field(btf, "comm", comm, 320, 0);
    btf__add_field(btf, "flags", u64, 448, 0);
    bytes.resize(64);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 13 + 7);
    std::memcpy(bytes.data() + 40, "kworker/0:1\0\0\0\0", 16);
  }
  ~Fixture() { btf__free(btf); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_RenderTree(benchmark::State& st) {
  Fixture& f = fixture();
  scxsnap::BtfRenderer r(f.btf);
  for (auto _ : st)
    benchmark::DoNotOptimize(r.render(static_cast<std::uint32_t>(f.type_id), f.bytes));
  st.SetItemsProcessed(st.iterations());
}

void BM_RenderJson(benchmark::State& st) {
  Fixture& f = fixture();
  scxsnap::BtfRenderer r(f.btf);
  std::string out;
  for (auto _ : st) {
    out.clear();
    benchmark::DoNotOptimize(r.render_json(static_cast<std::uint32_t>(f.type_id), f.bytes, out));
  }
  st.SetItemsProcessed(st.iterations());
}

void append_printf(void* ctx, const char* fmt, va_list args) {
  auto* out = static_cast<std::string*>(ctx);
  char buf[512];
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  if (n > 0) out->append(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1)));
}

void BM_LibbpfBtfDump(benchmark::State& st) {
  Fixture& f = fixture();
  std::string out;
  struct btf_dump* d = btf_dump__new(f.btf, append_printf, &out, nullptr);
  LIBBPF_OPTS(btf_dump_type_data_opts, opts, .compact = true, .emit_zeroes = true);
  for (auto _ : st) {
    out.clear();
    benchmark::DoNotOptimize(btf_dump__dump_type_data(d, static_cast<std::uint32_t>(f.type_id),
                                                      f.bytes.data(), f.bytes.size(), &opts));
  }
  btf_dump__free(d);
  st.SetItemsProcessed(st.iterations());
}

BENCHMARK(BM_RenderTree);
BENCHMARK(BM_RenderJson);
BENCHMARK(BM_LibbpfBtfDump);

}  // namespace

BENCHMARK_MAIN();
