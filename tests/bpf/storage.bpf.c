// SPDX-License-Identifier: GPL-2.0
// Where schedulers keep per-task and per-cgroup state, and the other map
// kinds the capture peeks into: task and cgroup local storage, a queue and a
// stack with typed values, an array of maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_ctx {
  unsigned long long runs;
  unsigned int tag;
  unsigned int pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct task_ctx);
} task_ctxs SEC(".maps");

struct cgrp_ctx {
  unsigned long long weight;
};

struct {
  __uint(type, 32);  // BPF_MAP_TYPE_CGRP_STORAGE (newer than these uapi headers)
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct cgrp_ctx);
} cgrp_ctxs SEC(".maps");

struct work {
  unsigned long long id;
  unsigned int prio;
  unsigned int pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_QUEUE);
  __uint(max_entries, 16);
  __type(value, struct work);
} work_fifo SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK);
  __uint(max_entries, 16);
  __type(value, struct work);
} work_lifo SEC(".maps");

struct inner {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, unsigned int);
  __type(value, unsigned long long);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 4);
  __type(key, unsigned int);
  __array(values, struct inner);
} outer SEC(".maps") = {
    .values = {[1] = &inner_a, [3] = &inner_b},
};

// A name longer than the kernel's 15 characters: it keeps "per_task_dispat".
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, unsigned int);
  __type(value, unsigned long long);
} per_task_dispatch_counts SEC(".maps");

unsigned long long nr_enqueued;
// Longer than ktstr's 4,096-element cap: `show` must say it was capped.
unsigned int cpu_capacity[8192];
unsigned short pco_table[3][5000];

char LICENSE[] SEC("license") = "GPL";
