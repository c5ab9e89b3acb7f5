// SPDX-License-Identifier: Apache-2.0
// The per-CPU anchors program (percpu_anchors.hpp). Context, in 64-bit words:
//   [0] in  offsetof(struct bpf_array, pptrs)
//   [1] in  first chase: bytes into the current task (-1: none)
//   [2] in  second chase: bytes into what the first pointed at (-1: none)
//   [3] in  the first CPU of this run
//   [4] out the slot's __percpu pointer   [5] out the current task
//   [6] out the CPU                       [7], [8] out the chased pointers
//   [9 + i] out the slot's address on CPU [3] + i (0: no such CPU)
#include "percpu_anchors.hpp"

#include "bpf_asm.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fmt/format.h>
#include <functional>

namespace scxsnap::capture_detail {
namespace {

using namespace bpf_asm;

constexpr std::int32_t kProbeReadKernel = 113;      // BPF_FUNC_probe_read_kernel
constexpr std::int32_t kGetCurrentTask = 35;        // BPF_FUNC_get_current_task
constexpr std::int32_t kGetSmpProcessorId = 8;      // BPF_FUNC_get_smp_processor_id
constexpr std::int32_t kMapLookupPercpuElem = 195;  // BPF_FUNC_map_lookup_percpu_elem
constexpr int kCpusPerRun = 64;

struct Ctx {
  std::uint64_t pptrs_offset;
  std::int64_t chase1, chase2;
  std::uint64_t cpu_base;
  std::uint64_t pptr, task, cpu, chased1, chased2;
  std::uint64_t slot[kCpusPerRun];
};

constexpr std::int16_t at(std::size_t off) {
  return static_cast<std::int16_t>(off);
}

// r1 = *(u64 *)(r3) through bpf_probe_read_kernel into the stack (zero
// when unreadable), stored at ctx + `out`.
void read_word_to(Program& p, std::size_t out) {
  p.push_back(mov_reg(1, 10));
  p.push_back(add_imm(1, -16));
  p.push_back(mov_imm(2, 8));
  p.push_back(call(kProbeReadKernel));
  p.push_back(load64(1, 10, -16));
  p.push_back(store64(6, at(out), 1));
}

// if (ctx[in] == -1) skip the block `body` appends.
void unless_none(Program& p, std::size_t in, const std::function<void(Program&)>& body) {
  Program b;
  body(b);
  p.push_back(load64(2, 6, at(in)));
  p.push_back(insn(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, static_cast<std::int16_t>(b.size()), -1));
  p.insert(p.end(), b.begin(), b.end());
}

Program program(int map_fd) {
  Program p;
  p.push_back(mov_reg(6, 1));
  // The map's address as a number (arithmetic on a map pointer is refused):
  // through the context, then pptrs[0] read from it.
  ld_map(p, 7, BPF_PSEUDO_MAP_FD, map_fd, 0);
  p.push_back(store64(6, at(offsetof(Ctx, pptr)), 7));
  p.push_back(load64(3, 6, at(offsetof(Ctx, pptr))));
  p.push_back(load64(2, 6, at(offsetof(Ctx, pptrs_offset))));
  p.push_back(add_reg(3, 2));
  read_word_to(p, offsetof(Ctx, pptr));
  p.push_back(call(kGetCurrentTask));
  p.push_back(store64(6, at(offsetof(Ctx, task)), 0));
  p.push_back(mov_reg(7, 0));
  p.push_back(call(kGetSmpProcessorId));
  p.push_back(store64(6, at(offsetof(Ctx, cpu)), 0));
  unless_none(p, offsetof(Ctx, chase1), [](Program& b) {
    b.push_back(mov_reg(3, 7));
    b.push_back(add_reg(3, 2));
    read_word_to(b, offsetof(Ctx, chased1));
    unless_none(b, offsetof(Ctx, chase2), [](Program& c) {
      c.push_back(load64(3, 6, at(offsetof(Ctx, chased1))));
      c.push_back(add_reg(3, 2));
      read_word_to(c, offsetof(Ctx, chased2));
    });
  });
  p.push_back(store32_imm(10, -4, 0));  // key 0
  for (int i = 0; i < kCpusPerRun; ++i) {
    p.push_back(load64(3, 6, at(offsetof(Ctx, cpu_base))));
    p.push_back(add_imm(3, i));
    ld_map(p, 1, BPF_PSEUDO_MAP_FD, map_fd, 0);
    p.push_back(mov_reg(2, 10));
    p.push_back(add_imm(2, -4));
    p.push_back(call(kMapLookupPercpuElem));
    p.push_back(store64(6, at(offsetof(Ctx, slot) + 8 * static_cast<std::size_t>(i)), 0));
  }
  p.push_back(mov_imm(0, 0));
  p.push_back(exit_insn());
  return p;
}

}  // namespace

Result<KernelAnchors> read_kernel_anchors(const AnchorRequest& req, int possible_cpus) {
  Fd map(bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "scxsnap_anchor", sizeof(std::uint32_t),
                        sizeof(std::uint64_t), 1, nullptr));
  if (!map.valid())
    return make_error(errno == EPERM ? ErrorCode::PermissionDenied : ErrorCode::Unsupported,
                      fmt::format("creating the per-CPU anchor map: {}", std::strerror(errno)));
  SCXSNAP_TRY(Fd prog, bpf_asm::load_syscall_program("scxsnap_anchor", program(map.get()),
                                                     "the per-CPU anchors program"));
  KernelAnchors out;
  for (int base = 0; base < std::max(possible_cpus, 1); base += kCpusPerRun) {
    Ctx ctx{};
    ctx.pptrs_offset = req.pptrs_offset;
    ctx.chase1 = req.chase1;
    ctx.chase2 = req.chase2;
    ctx.cpu_base = static_cast<std::uint64_t>(base);
    // A syscall program's context is copied back where it came from.
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof ctx);
    if (bpf_prog_test_run_opts(prog.get(), &opts) != 0)
      return make_error(ErrorCode::Io, fmt::format("running the per-CPU anchors program: {}",
                                                   std::strerror(errno)));
    if (ctx.pptr == 0)
      return make_error(ErrorCode::Unsupported,
                        "the per-CPU anchors program read no __percpu pointer from its map "
                        "(struct bpf_array's pptrs not where vmlinux BTF says)");
    if (base == 0) {
      out.cpu = static_cast<std::uint32_t>(ctx.cpu);
      out.task = ctx.task;
      out.chased1 = ctx.chased1;
      out.chased2 = ctx.chased2;
    }
    for (int i = 0; i < kCpusPerRun && base + i < possible_cpus; ++i) {
      if (ctx.slot[i] == 0) return out;  // past nr_cpu_ids
      out.per_cpu_offsets.push_back(ctx.slot[i] - ctx.pptr);
    }
  }
  return out;
}

}  // namespace scxsnap::capture_detail
