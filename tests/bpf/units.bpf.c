// SPDX-License-Identifier: GPL-2.0
// An object as a unit: globals in custom .data.NAME / .rodata.NAME sections
// and .kconfig, maps reachable only through the programs that use them (no
// BTF of their own: a ringbuf and a sizes-only hash), and scx's CPU-mask
// types as globals. Loaded twice under names that libbpf cuts alike.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

union sdt_id {
  long long val;
  struct {
    int idx;
    int genn;
  };
};

// scx's lib/cpumask.h and its older variants.
struct scx_bitmap {
  union sdt_id tid;
  unsigned long long bits[4];
};
struct scx_cpumask {
  union sdt_id tid;
  unsigned char mask[8];
};
struct cpumask {
  unsigned long bits[2];
};
struct bpf_cpumask {
  struct cpumask cpumask;
  int usage;
};

struct scx_bitmap idle_bitmap;
struct scx_cpumask byte_mask;
struct bpf_cpumask kernel_mask;
unsigned long long unit_counter;

// The exit text every scx scheduler keeps (UEI_DEFINE puts it in .data.uei_dump).
char exit_dump[64] SEC(".data.exit_dump") = "stalled\tcpu 3\n\x01";
const volatile unsigned int tuning_knob SEC(".rodata.knobs") = 7;
extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));

// Maps with no BTF: reached only through the program that uses them.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 8);
  __uint(key_size, 4);
  __uint(value_size, 8);
} raw_counts SEC(".maps");

SEC("raw_tp/sys_enter")
int count_enter(void* ctx) {
  unsigned int k = LINUX_KERNEL_VERSION & 7;
  unsigned long long* v = bpf_map_lookup_elem(&raw_counts, &k);
  if (v) *v += tuning_knob;
  bpf_ringbuf_output(&events, &k, sizeof k, 0);
  unit_counter += exit_dump[0];
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
