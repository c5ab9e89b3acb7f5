// SPDX-License-Identifier: GPL-2.0
// The capture benchmark's map: a HASH with a 64-byte struct value (the shape
// of the peers measurement: ints, a char array, an enum, bitfields, a union).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum pb_state { PB_IDLE, PB_RUNNING, PB_DONE };

struct pb_val {
  unsigned long long counter;
  unsigned int weight;
  int lag;
  char comm[16];
  enum pb_state state;
  unsigned int f_a : 4;
  unsigned int f_b : 12;
  unsigned int f_c : 16;
  union {
    unsigned int u32v;
    unsigned char bytes[4];
  };
  unsigned int extra;
  void *ptr;
  unsigned char tail[4];
  unsigned int pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 262144);
  __type(key, unsigned int);
  __type(value, struct pb_val);
} pb_hash SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
