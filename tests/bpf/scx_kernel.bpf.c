// SPDX-License-Identifier: GPL-2.0
// BTF of sched_ext's kernel types (scx_kernel_types.h, after Linux v6.18),
// for the walker's tests on kernels without sched_ext. Never loaded: the
// tests read its .BTF section only.
#include "scx_kernel_types.h"

// By value: clang describes a struct reached only through a pointer as a
// forward declaration.
struct scx_kernel_types {
  struct rq rq;
  struct task_struct task;
  struct scx_sched sched;
  struct bpf_array array;
  struct bucket_table table;
  struct signal_struct signal;
  struct pid pid;
  enum pid_type pid_type;
  enum scx_dsq_lnode_flags lnode_flags;
} scx_kernel_types;

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
