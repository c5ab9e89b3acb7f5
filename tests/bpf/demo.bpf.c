// SPDX-License-Identifier: GPL-2.0
// A small object whose globals move while it is attached: counters, a
// gauge and a per-CPU counter, bumped on every system call entry. For
// `scxsnap watch` and `report` demonstrations and tests (raw_tp attaches on
// these machines without tracefs).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} cpu_syscalls SEC(".maps");

__u64 nr_syscalls = 0;
__u64 nr_odd_cpu = 0;
__u32 last_cpu = 0;
__s64 balance = 0;

SEC("raw_tp/sys_enter")
int demo_tick(void *ctx) {
  __u32 cpu = bpf_get_smp_processor_id(), zero = 0;
  __sync_fetch_and_add(&nr_syscalls, 1);
  if (cpu & 1) __sync_fetch_and_add(&nr_odd_cpu, 1);
  last_cpu = cpu;
  balance += (cpu & 1) ? 1 : -1;
  __u64 *c = bpf_map_lookup_elem(&cpu_syscalls, &zero);
  if (c) *c += 1;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
