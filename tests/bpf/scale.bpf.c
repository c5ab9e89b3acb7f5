// SPDX-License-Identifier: GPL-2.0
// Shaped like a production sched_ext scheduler's state, for the scale tests:
// a .bss of ~136 MiB of nested arrays of structs (per-layer, per-CPU), small
// counters before and after it, a per-CPU array with an 8.8 KiB value, a
// hash for 1M entries, and 110 small array maps (one object, 100+ maps).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64;
typedef unsigned int u32;

struct cpu_ctx {
  u64 nr_dispatched;
  u64 vtime;
  u32 layer_id;
  u32 flags;
  char comm[16];
  u64 hist[28];
};

struct layer {
  u64 nr_tasks;
  u64 load;
  struct cpu_ctx cpus[256];
  u32 weights[2048];
};

u64 head_counter;
struct layer layers[1800];
u64 tail_counter;

struct pcpu_big {
  u64 counters[1100];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, struct pcpu_big);
} pcpu_big SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1 << 20);
  __type(key, u32);
  __type(value, u64);
} million SEC(".maps");

#define SMALL(n)                          \
  struct {                                \
    __uint(type, BPF_MAP_TYPE_ARRAY);     \
    __uint(max_entries, 4);               \
    __type(key, u32);                     \
    __type(value, u64);                   \
  } small_##n SEC(".maps");
#define TEN(d) SMALL(d##0) SMALL(d##1) SMALL(d##2) SMALL(d##3) SMALL(d##4) \
               SMALL(d##5) SMALL(d##6) SMALL(d##7) SMALL(d##8) SMALL(d##9)
TEN(0) TEN(1) TEN(2) TEN(3) TEN(4) TEN(5) TEN(6) TEN(7) TEN(8) TEN(9) TEN(10)

char LICENSE[] SEC("license") = "GPL";
