// SPDX-License-Identifier: GPL-2.0
// An arena as a scheduler keeps one: pages allocated by a program (the
// bpf_arena_alloc_pages kfunc, in a `syscall` program the test runs) and by
// user space through its mapping, and `__arena` globals in `.addr_space.1`.
// clang 14 cannot compile arena pointer casts and libbpf 1.1 does not place
// `.addr_space.1` in the arena, so here the globals stay where libbpf 1.1
// leaves them (in the BTF, referenced by no instruction); the test builds the
// program that libbpf 1.4+ would leave (arena_capture_test.cpp).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, 33);  // BPF_MAP_TYPE_ARENA (newer than these uapi headers)
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, 64);  // pages; the test sets map_extra (the user address)
} sched_arena SEC(".maps");

struct arena_stats {
  unsigned long long enqueued, dispatched;
};
struct arena_stats unplaced_stats __attribute__((section(".addr_space.1")));
unsigned long long unplaced_counter __attribute__((section(".addr_space.1"))) = 5;

// A scheduler's per-task records live in its arena; globals point at them.
struct arena_task {
  unsigned long long runs;
  unsigned int cpu;
  unsigned int pad;
  struct arena_task *next;
};
struct arena_task *first_task;    // .bss, set by the test into a captured page
struct arena_task *missing_task;  // .bss, into a page never allocated
unsigned long long *kernel_ptr;   // .bss, outside the arena

extern void *bpf_arena_alloc_pages(void *map, void *addr, __u32 page_cnt, int node_id,
                                   __u64 flags) __ksym;
extern void bpf_arena_free_pages(void *map, void *ptr, __u32 page_cnt) __ksym;

struct page_args {
  __u64 addr;  // user address of the first page
  __u32 pages;
  __s32 taken;  // alloc_at: 1 when the pages were already allocated
};

// Allocates pages at a fixed address: fails (NULL) when one is already
// allocated, which is how the test tells, independently of scxsnap, whether
// a capture left the other pages alone.
SEC("syscall")
int alloc_at(struct page_args *a) {
  void *p = bpf_arena_alloc_pages(&sched_arena, (void *)a->addr, a->pages, -1, 0);
  a->taken = p ? 0 : 1;
  return 0;
}

SEC("syscall")
int free_at(struct page_args *a) {
  bpf_arena_free_pages(&sched_arena, (void *)a->addr, a->pages);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
