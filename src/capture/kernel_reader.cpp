// SPDX-License-Identifier: Apache-2.0
// The kernel reader's program, assembled here (kernel_reader.hpp). Context,
// in 64-bit words: [0] the map's address (out), then per chunk i the kernel
// address, the length and the result. Each chunk is one unrolled block:
//   r3 = kaddr[i]; r2 = len[i]; if r2 == 0 || r2 > kChunk skip;
//   r1 = &buffer[i * kChunk]; r0 = bpf_probe_read_kernel(r1, r2, r3); rc[i] = r0
#include "kernel_reader.hpp"

#include "bpf_asm.hpp"

#include <bpf/bpf.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <string>
#include <sys/mman.h>
#include <vector>

namespace scxsnap::capture_detail {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{KernelReader::kChunk} * KernelReader::kBatch;
constexpr std::int32_t kProbeReadKernel = 113;  // BPF_FUNC_probe_read_kernel
constexpr std::int16_t kCtxChunks = 8;          // where the chunk records start
constexpr std::int16_t kCtxRecord = 24;         // kaddr, len, rc

struct Ctx {
  std::uint64_t map_address;
  struct {
    std::uint64_t kaddr, len;
    std::int64_t rc;
  } chunk[KernelReader::kBatch];
};
static_assert(sizeof(Ctx) == kCtxChunks + kCtxRecord * KernelReader::kBatch);

using namespace bpf_asm;

Program program(int map_fd, int buffer_fd) {
  Program p;
  p.push_back(mov_reg(6, 1));  // r6 = ctx
  if (map_fd >= 0) {
    ld_map(p, 7, BPF_PSEUDO_MAP_FD, map_fd, 0);
    p.push_back(store64(6, 0, 7));  // ctx->map_address = r7
  }
  for (std::uint32_t i = 0; i < KernelReader::kBatch; ++i) {
    const auto rec = static_cast<std::int16_t>(kCtxChunks + kCtxRecord * static_cast<int>(i));
    p.push_back(load64(3, 6, rec));
    p.push_back(load64(2, 6, static_cast<std::int16_t>(rec + 8)));
    p.push_back(insn(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 5, 0));
    p.push_back(insn(BPF_JMP | BPF_JGT | BPF_K, 2, 0, 4, KernelReader::kChunk));
    ld_map(p, 1, BPF_PSEUDO_MAP_VALUE, buffer_fd,
           static_cast<std::int32_t>(i * KernelReader::kChunk));
    p.push_back(call(kProbeReadKernel));
    p.push_back(store64(6, static_cast<std::int16_t>(rec + 16), 0));
  }
  p.push_back(mov_imm(0, 0));
  p.push_back(exit_insn());
  return p;
}

Result<Fd> load(const Program& p) {
  auto fd = load_syscall_program("scxsnap_kread", p, "the kernel-memory reader program");
  if (!fd && fd.error().message().find("user address must be set") != std::string::npos)
    return make_error(ErrorCode::NotFound,
                      "the arena has no user address yet (never mapped, no map_extra)");
  return fd;
}

}  // namespace

KernelReader::KernelReader(Fd buffer, Fd prog, const std::uint8_t* view)
    : buffer_(std::move(buffer)), prog_(std::move(prog)), view_(view) {}

KernelReader::KernelReader(KernelReader&& o) noexcept
    : buffer_(std::move(o.buffer_)),
      prog_(std::move(o.prog_)),
      view_(std::exchange(o.view_, nullptr)),
      map_address_(o.map_address_) {}

KernelReader::~KernelReader() {
  if (view_) ::munmap(const_cast<std::uint8_t*>(view_), kBufferBytes);
}

Result<KernelReader> KernelReader::create(int map_fd) {
  LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_MMAPABLE);
  Fd buffer(bpf_map_create(BPF_MAP_TYPE_ARRAY, "scxsnap_kbuf", sizeof(std::uint32_t),
                           static_cast<std::uint32_t>(kBufferBytes), 1, &mopts));
  if (!buffer.valid())
    return make_error(
        errno == EPERM ? ErrorCode::PermissionDenied : ErrorCode::Unsupported,
        fmt::format("creating the kernel-memory reader's buffer map: {}", std::strerror(errno)));
  void* view = ::mmap(nullptr, kBufferBytes, PROT_READ, MAP_SHARED, buffer.get(), 0);
  if (view == MAP_FAILED)
    return make_error(
        ErrorCode::Unsupported,
        fmt::format("mapping the kernel-memory reader's buffer map: {}", std::strerror(errno)));
  auto prog = load(program(map_fd, buffer.get()));
  if (!prog) {
    ::munmap(view, kBufferBytes);
    return prog.error();
  }
  KernelReader r(std::move(buffer), std::move(*prog), static_cast<const std::uint8_t*>(view));
  std::array<Chunk, 1> none{};
  auto ran = r.read(std::span<Chunk>(none.data(), 0));
  if (!ran) return ran.error();
  return r;
}

Result<bool> KernelReader::read(std::span<Chunk> chunks) {
  if (chunks.size() > kBatch)
    return make_error(ErrorCode::Internal, "kernel reader: more chunks than one run reads");
  Ctx ctx{};
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    ctx.chunk[i].kaddr = chunks[i].kaddr;
    ctx.chunk[i].len = std::min(chunks[i].len, kChunk);
  }
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof ctx);
  if (bpf_prog_test_run_opts(prog_.get(), &opts) != 0)
    return make_error(ErrorCode::Io, fmt::format("running the kernel-memory reader program: {}",
                                                 std::strerror(errno)));
  map_address_ = ctx.map_address;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    chunks[i].rc = static_cast<int>(ctx.chunk[i].rc);
    chunks[i].bytes = {view_ + i * kChunk, ctx.chunk[i].len};
  }
  return true;
}

}  // namespace scxsnap::capture_detail
