// SPDX-License-Identifier: GPL-2.0
// One map of each family the capture reads: per-CPU array and hash, a large
// hash, a ring buffer fed by a raw tracepoint, a program array, a stack-trace
// map and a queue (a type with no read path).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct slot {
  unsigned long long count;
  unsigned int cpu_tag;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, unsigned int);
  __type(value, struct slot);
} pcpu_arr SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 64);
  __type(key, unsigned int);
  __type(value, unsigned long long);
} pcpu_hash SEC(".maps");

struct big_val {
  unsigned long long a;
  unsigned long long b;
  unsigned int c;
  int d;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, unsigned int);
  __type(value, struct big_val);
} big_hash SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 65536);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 8);
  __type(key, unsigned int);
  __type(value, unsigned int);
} jump_table SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __uint(max_entries, 128);
  __uint(key_size, sizeof(unsigned int));
  __uint(value_size, 16 * sizeof(unsigned long long));
} stacks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_QUEUE);
  __uint(max_entries, 16);
  __uint(value_size, sizeof(unsigned int));
} work_queue SEC(".maps");

unsigned long long produced;
int produce_enabled;

SEC("raw_tp/sys_enter")
int produce(void *ctx) {
  if (!produce_enabled) return 0;
  unsigned long long *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
  if (!rec) return 0;
  *rec = ++produced;
  bpf_ringbuf_submit(rec, 0);
  return 0;
}

SEC("raw_tp/sys_enter")
int jump_target(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
