/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types the sched_ext walker reads, laid out after Linux v6.18:
 *   include/linux/sched/ext.h      scx_dispatch_q, scx_dsq_list_node,
 *                                  sched_ext_entity, enum scx_dsq_lnode_flags
 *   kernel/sched/sched.h           scx_rq, rq, cfs_rq
 *   kernel/sched/ext_internal.h    scx_sched (6.16-6.18: global_dsqs, pcpu)
 *   include/linux/rhashtable-types.h, rhashtable.h   rhashtable, bucket_table,
 *                                  rhash_head
 *   include/linux/sched.h, sched/signal.h, pid.h     task_struct, sched_entity,
 *                                  signal_struct, pid, upid, enum pid_type
 *   include/linux/bpf.h            bpf_array (pptrs)
 * Members are in the kernel's order; those the walker never reads are cut to
 * padding of a plausible size (locks, callbacks, the ops table). This kernel
 * is built without CONFIG_SCHED_CLASS_EXT, so its BTF has none of these: the
 * walker's tests read memory laid out by this header through the BTF clang
 * emits for it (scx_kernel.bpf.c), the way it reads a real kernel through
 * /sys/kernel/btf/vmlinux. Shared by the BPF object and the C++ tests: no
 * flexible arrays.
 */
#ifndef SCXSNAP_TEST_SCX_KERNEL_TYPES_H
#define SCXSNAP_TEST_SCX_KERNEL_TYPES_H

#ifdef __cplusplus
#define _Bool bool
#endif

typedef unsigned char kt_u8;
typedef unsigned int kt_u32;
typedef int kt_s32;
typedef unsigned long long kt_u64;

struct list_head {
  struct list_head *next, *prev;
};
struct rb_node {
  unsigned long rb_parent_color;
  struct rb_node *rb_right, *rb_left;
};
struct rb_root {
  struct rb_node *rb_node;
};
struct rhash_head {
  struct rhash_head *next;
};
struct llist_node {
  struct llist_node *next;
};
struct rcu_head {
  void *next, *func;
};
typedef struct {
  int counter;
} atomic_t;
typedef struct {
  kt_u32 raw_lock;
} raw_spinlock_t;

enum scx_dsq_lnode_flags {
  SCX_DSQ_LNODE_ITER_CURSOR = 1 << 0,
  __SCX_DSQ_LNODE_PRIV_SHIFT = 16,
};

struct scx_sched;
struct task_struct;

struct scx_dispatch_q {
  raw_spinlock_t lock;
  struct task_struct *first_task;
  struct list_head list;
  struct rb_root priq;
  kt_u32 nr;
  kt_u32 seq;
  kt_u64 id;
  struct rhash_head hash_node;
  struct llist_node free_node;
  struct scx_sched *sched;
  struct rcu_head rcu;
};

struct scx_dsq_list_node {
  struct list_head node;
  kt_u32 flags;
  kt_u32 priv;
};

struct sched_ext_entity {
  struct scx_dispatch_q *dsq;
  struct scx_dsq_list_node dsq_list;
  struct rb_node dsq_priq;
  kt_u32 dsq_seq;
  kt_u32 dsq_flags;
  kt_u32 flags;
  kt_u32 weight;
  kt_s32 sticky_cpu;
  kt_s32 holding_cpu;
  kt_s32 selected_cpu;
  kt_u32 kf_mask;
  struct task_struct *kf_tasks[2];
  long ops_state;
  struct list_head runnable_node;
  unsigned long runnable_at;
  kt_u64 core_sched_at;
  kt_u64 ddsp_dsq_id;
  kt_u64 ddsp_enq_flags;
  kt_u64 slice;
  kt_u64 dsq_vtime;
  _Bool disallow;
  struct list_head tasks_node;
};

struct rq;
struct cfs_rq {
  kt_u64 load[2];
  unsigned int nr_running;
  kt_u64 pad[20];
  struct rq *rq;
};

struct sched_entity {
  kt_u64 load[2];
  struct rb_node run_node;
  kt_u64 deadline, min_vruntime;
  struct list_head group_node;
  kt_u32 on_rq;
  kt_u64 exec_start, sum_exec_runtime, prev_sum_exec_runtime, vruntime;
  int depth;
  struct sched_entity *parent;
  struct cfs_rq *cfs_rq;
  struct cfs_rq *my_q;
};

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

struct upid {
  int nr;
  void *ns;
};
struct pid {
  int count;
  unsigned int level;
  raw_spinlock_t lock;
  void *stashed;
  kt_u64 ino;
  void *tasks[PIDTYPE_MAX];
  void *inodes;
  struct rcu_head rcu;
  struct upid numbers[1];
};

struct signal_struct {
  int sigcnt;
  atomic_t live;
  int nr_threads;
  int quick_threads;
  struct list_head thread_head;
  kt_u64 pad[24];
  struct pid *pids[PIDTYPE_MAX];
  kt_u64 pad2[12];
  unsigned long nvcsw, nivcsw, cnvcsw, cnivcsw;
};

struct sched_class;

struct task_struct {
  kt_u64 thread_info[3];
  unsigned int __state;
  unsigned int saved_state;
  void *stack;
  int usage;
  unsigned int flags;
  unsigned int ptrace;
  int on_cpu;
  kt_u64 wake_entry[2];
  unsigned int wakee_flips;
  int on_rq;
  int prio;
  int static_prio;
  int normal_prio;
  unsigned int rt_priority;
  struct sched_entity se;
  kt_u64 rt[6];
  kt_u64 dl[30];
  struct sched_ext_entity scx;
  const struct sched_class *sched_class;
  kt_u64 core_cookie;
  kt_u64 pad[40];
  int pid;
  int tgid;
  struct task_struct *real_parent;
  struct task_struct *parent;
  struct list_head children, sibling;
  struct task_struct *group_leader;
  kt_u64 pad2[10];
  unsigned long nvcsw, nivcsw;
  kt_u64 pad3[8];
  char comm[16];
  kt_u64 pad4[6];
  struct signal_struct *signal;
};

struct scx_rq {
  struct scx_dispatch_q local_dsq;
  struct list_head runnable_list;
  struct list_head ddsp_deferred_locals;
  unsigned long ops_qseq;
  kt_u64 extra_enq_flags;
  kt_u32 nr_running;
  kt_u32 cpuperf_target;
  _Bool cpu_released;
  kt_u32 flags;
  kt_u64 clock;
  void *cpus_to_kick, *cpus_to_kick_if_idle, *cpus_to_preempt, *cpus_to_wait;
  unsigned long pnt_seq;
  kt_u64 deferred_bal_cb[2];
  kt_u64 deferred_irq_work[4];
  kt_u64 kick_cpus_irq_work[4];
};

struct rq {
  raw_spinlock_t __lock;
  unsigned int nr_running;
  kt_u64 pad[30];
  struct cfs_rq cfs;
  struct scx_rq scx;
  struct task_struct *curr;
  struct task_struct *idle;
  struct task_struct *stop;
  kt_u64 pad2[20];
  int cpu;
  int online;
};

struct bucket_table {
  unsigned int size;
  unsigned int nest;
  kt_u32 hash_rnd;
  struct list_head walkers;
  struct rcu_head rcu;
  struct bucket_table *future_tbl;
  kt_u64 dep_map[2];
  struct rhash_lock_head *buckets[1] __attribute__((aligned(64)));
};

struct rhashtable {
  struct bucket_table *tbl;
  unsigned int key_len;
  unsigned int max_elems;
  kt_u64 params[6];
  _Bool rhlist;
  kt_u64 run_work[4];
  kt_u64 mutex[4];
  raw_spinlock_t lock;
  atomic_t nelems;
};

struct sched_ext_ops {
  void *callbacks[40];
  kt_u32 dispatch_max_batch;
  kt_u64 flags;
  kt_u32 timeout_ms;
  kt_u32 exit_dump_len;
  kt_u64 hotplug_seq;
  char name[128];
};

struct scx_sched_pcpu;

struct scx_sched {
  struct sched_ext_ops ops;
  unsigned long has_op[1];
  struct rhashtable dsq_hash;
  struct scx_dispatch_q **global_dsqs;
  struct scx_sched_pcpu *pcpu;
  _Bool warned_zero_slice;
  atomic_t exit_kind;
  void *exit_info;
  kt_u64 kobj[8];
};

struct bpf_array {
  kt_u64 map[32];
  kt_u32 elem_size;
  kt_u32 index_mask;
  void *aux;
  void *pptrs[1];
};

#endif
