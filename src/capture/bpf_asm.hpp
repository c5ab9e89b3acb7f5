// SPDX-License-Identifier: Apache-2.0
// The few BPF instructions scxsnap assembles itself (the kernel-memory
// reader and the per-CPU anchors, both BPF `syscall` programs run with
// BPF_PROG_TEST_RUN), and loading such a program with the verifier's reason
// when it refuses.
#pragma once

#include "fd.hpp"
#include "scxsnap/result.hpp"

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::capture_detail::bpf_asm {

using Program = std::vector<bpf_insn>;

inline bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
                     std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// The handful of forms the programs use.
inline bpf_insn mov_reg(std::uint8_t dst, std::uint8_t src) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
inline bpf_insn mov_imm(std::uint8_t dst, std::int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
inline bpf_insn add_reg(std::uint8_t dst, std::uint8_t src) {
  return insn(BPF_ALU64 | BPF_ADD | BPF_X, dst, src, 0, 0);
}
inline bpf_insn add_imm(std::uint8_t dst, std::int32_t imm) {
  return insn(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}
inline bpf_insn load64(std::uint8_t dst, std::uint8_t src, std::int16_t off) {
  return insn(BPF_LDX | BPF_DW | BPF_MEM, dst, src, off, 0);
}
inline bpf_insn store64(std::uint8_t dst, std::int16_t off, std::uint8_t src) {
  return insn(BPF_STX | BPF_DW | BPF_MEM, dst, src, off, 0);
}
inline bpf_insn store32_imm(std::uint8_t dst, std::int16_t off, std::int32_t imm) {
  return insn(BPF_ST | BPF_W | BPF_MEM, dst, 0, off, imm);
}
inline bpf_insn call(std::int32_t helper) {
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}
inline bpf_insn exit_insn() {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/// ld_imm64 of a map (BPF_PSEUDO_MAP_FD) or of an address in its value
/// (BPF_PSEUDO_MAP_VALUE, `off` bytes in).
inline void ld_map(Program& p, std::uint8_t dst, std::uint8_t kind, int fd, std::int32_t off) {
  p.push_back(insn(BPF_LD | BPF_DW | BPF_IMM, dst, kind, 0, fd));
  p.push_back(insn(0, 0, 0, 0, off));
}

/// A sleepable BPF_PROG_TYPE_SYSCALL program named `name`. On a refusal the
/// error says what was loaded (`what`), the errno, the verifier's last
/// complaint, and for EPERM/EACCES what the load needs.
Result<Fd> load_syscall_program(const char* name, const Program& p, std::string_view what);

/// The verifier's reason in a log (its last line that is not the
/// "processed N insns" summary).
std::string last_line(const std::string& log);

}  // namespace scxsnap::capture_detail::bpf_asm
