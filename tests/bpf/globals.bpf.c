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

// sched_ext's user_exit_info as UEI_DEFINE declares it (scx/common.bpf.h):
// the exit kind, code, reason and message, and the ops.dump buffer in a
// section of its own.
#define UEI_REASON_LEN 128
#define UEI_MSG_LEN 1024
struct user_exit_info {
  int kind;
  long long exit_code;
  char reason[UEI_REASON_LEN];
  char msg[UEI_MSG_LEN];
};
char uei_dump[4096] SEC(".data.uei_dump");
const volatile u32 uei_dump_len = 4096;
struct user_exit_info uei SEC(".data");
