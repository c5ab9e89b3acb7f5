// SPDX-License-Identifier: GPL-2.0
// Global sections large enough to be read through a mapping of the kernel's
// pages (64 KiB and more, mmap-able): a 320 KB ring of records in .bss
// between two counters, and a small .data read by lookup.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64;
typedef unsigned int u32;

struct slot {
  u64 seq;
  u32 cpu;
  u32 flags;
};

u64 ring_head;
struct slot ring[20000];
u64 ring_tail;

u64 nr_events = 7;

SEC("raw_tp/sys_enter")
int count_event(void* ctx) {
  u32 at = ring_head & 16383;  // a bound the verifier can see
  __sync_fetch_and_add(&nr_events, 1);
  ring[at].seq = ring_head;
  ring_head++;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
