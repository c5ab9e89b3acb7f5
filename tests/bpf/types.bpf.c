// SPDX-License-Identifier: GPL-2.0
// A wide mix of C types in global sections and maps, for the BTF renderer
// tests and the bpftool oracle. A raw_tp program bumps counters when run.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum mode { MODE_IDLE = 0, MODE_FAST = 1, MODE_SLOW = 7 };
enum sgn { SGN_NEG = -3, SGN_POS = 3 };

struct inner {
  unsigned short lo;
  short hi;
};

struct flags {
  unsigned int a : 3;
  unsigned int b : 10;
  int c : 5;
  unsigned int d;
};

struct task_ctx {
  int pid;
  unsigned long long runtime_ns;
  enum mode mode;
  struct inner in;
  char comm[16];
  unsigned char raw[4];
  union {
    unsigned int word;
    unsigned char bytes[4];
  };
  struct flags f;
};

// .data (initialised, writable)
unsigned long long nr_dispatched = 907;
int neg_counter = -42;
_Bool enabled = 1;
char letter = 'Q';
enum mode cur_mode = MODE_SLOW;
enum sgn signed_mode = SGN_NEG;
struct task_ctx leader = {
    .pid = 1234,
    .runtime_ns = 5000000,
    .mode = MODE_FAST,
    .in = {.lo = 65535, .hi = -2},
    .comm = "scx_demo",
    .raw = {0xde, 0xad, 0xbe, 0xef},
    .word = 0x11223344,
    .f = {.a = 5, .b = 700, .c = -2, .d = 42},
};
unsigned int small_arr[5] = {1, 2, 3, 4, 5};
unsigned long long big_u64 = 0xffffffffffffffffULL;
void *null_ptr = 0;

// .rodata (constant)
const volatile unsigned int nr_cpus_onln = 4;
const volatile unsigned long long slice_ns = 20000000;
const volatile enum mode init_mode = MODE_FAST;

// .bss (zero-initialised, bumped by the program)
unsigned long long nr_runs;
unsigned int counters[4];

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, unsigned int);
  __type(value, struct task_ctx);
} task_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, unsigned int);
  __type(value, struct inner);
} inner_arr SEC(".maps");

SEC("raw_tp/sys_enter")
int bump(void *ctx) {
  __sync_fetch_and_add(&nr_runs, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
