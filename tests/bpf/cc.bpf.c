// SPDX-License-Identifier: GPL-2.0
// A tcp_congestion_ops struct_ops object: the stand-in for sched_ext_ops on a
// kernel without sched_ext. Its programs use the object's global sections, so
// the capture can follow struct_ops map → programs → map_ids → globals.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

unsigned long long nr_cong_avoid;
unsigned long long nr_ssthresh = 0;
unsigned int tick = 1;
const volatile unsigned int cc_mode = 3;

SEC("struct_ops/scxsnap_cc_ssthresh")
__u32 BPF_PROG(scxsnap_cc_ssthresh, struct sock *sk) {
  nr_ssthresh += cc_mode;
  return 10;
}

SEC("struct_ops/scxsnap_cc_cong_avoid")
void BPF_PROG(scxsnap_cc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked) {
  nr_cong_avoid += tick;
}

SEC("struct_ops/scxsnap_cc_undo_cwnd")
__u32 BPF_PROG(scxsnap_cc_undo_cwnd, struct sock *sk) {
  return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops scxsnap_cc = {
    .ssthresh = (void *)scxsnap_cc_ssthresh,
    .cong_avoid = (void *)scxsnap_cc_cong_avoid,
    .undo_cwnd = (void *)scxsnap_cc_undo_cwnd,
    .name = "scxsnap_cc",
};

// Bumped on every syscall once attached, so counters move between captures.
SEC("raw_tp/sys_enter")
int cc_tick(void *ctx) {
  tick += 1;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
