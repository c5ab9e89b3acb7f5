// SPDX-License-Identifier: Apache-2.0
// The symbol lookup program (kernel_symbols.hpp). For each name i: the name
// is stored on the stack 4 bytes at a time, bpf_kallsyms_lookup_name(name,
// length with its NUL, 0, &address) is called, and the address (0 when the
// call failed) is stored in the context's word i.
#include "kernel_symbols.hpp"

#include "bpf_asm.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace scxsnap::capture_detail {
namespace {

using namespace bpf_asm;

constexpr std::int32_t kKallsymsLookupName = 179;  // BPF_FUNC_kallsyms_lookup_name
constexpr std::int16_t kName = -80;                // the name's place on the stack
constexpr std::int16_t kAddress = -8;              // the result's

Program program(std::span<const std::string_view> names) {
  Program p;
  p.push_back(mov_reg(6, 1));
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string name(names[i]);
    name.resize((name.size() / 4 + 1) * 4, '\0');  // the NUL, padded to words
    for (std::size_t at = 0; at < name.size(); at += 4) {
      std::int32_t word = 0;
      std::memcpy(&word, name.data() + at, 4);
      p.push_back(insn(BPF_ST | BPF_W | BPF_MEM, 10, 0,
                       static_cast<std::int16_t>(kName + static_cast<int>(at)), word));
    }
    p.push_back(store32_imm(10, kAddress, 0));
    p.push_back(store32_imm(10, kAddress + 4, 0));
    p.push_back(mov_reg(1, 10));
    p.push_back(add_imm(1, kName));
    p.push_back(mov_imm(2, static_cast<std::int32_t>(names[i].size() + 1)));
    p.push_back(mov_imm(3, 0));
    p.push_back(mov_reg(4, 10));
    p.push_back(add_imm(4, kAddress));
    p.push_back(call(kKallsymsLookupName));
    p.push_back(load64(1, 10, kAddress));
    p.push_back(store64(6, static_cast<std::int16_t>(8 * i), 1));
  }
  p.push_back(mov_imm(0, 0));
  p.push_back(exit_insn());
  return p;
}

}  // namespace

Result<std::map<std::string, std::uint64_t>> lookup_kernel_symbols(
    std::span<const std::string_view> names) {
  std::map<std::string, std::uint64_t> out;
  if (names.empty()) return out;
  for (std::string_view n : names)
    if (n.empty() || n.size() > kMaxSymbolName || n.find('\0') != std::string_view::npos)
      return make_error(ErrorCode::InvalidArgument,
                        fmt::format("kernel symbol name '{}': 1 to {} bytes", n, kMaxSymbolName));
  SCXSNAP_TRY(Fd prog, bpf_asm::load_syscall_program("scxsnap_ksyms", program(names),
                                                     "the kernel symbol lookup program"));
  std::vector<std::uint64_t> ctx(names.size(), 0);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx.data(),
              .ctx_size_in = static_cast<std::uint32_t>(ctx.size() * sizeof(std::uint64_t)));
  if (bpf_prog_test_run_opts(prog.get(), &opts) != 0)
    return make_error(ErrorCode::Io, fmt::format("running the kernel symbol lookup program: {}",
                                                 std::strerror(errno)));
  for (std::size_t i = 0; i < names.size(); ++i)
    if (ctx[i] != 0) out.emplace(std::string(names[i]), ctx[i]);
  return out;
}

std::map<std::string, std::uint64_t> read_kallsyms_file(const char* path,
                                                        std::span<const std::string_view> names) {
  std::map<std::string, std::uint64_t> out;
  std::FILE* f = std::fopen(path, "re");
  if (!f) return out;
  char line[512];
  while (out.size() < names.size() && std::fgets(line, sizeof line, f)) {
    char* end = nullptr;
    const std::uint64_t addr = std::strtoull(line, &end, 16);
    if (!end || end[0] != ' ' || !end[1] || end[2] != ' ') continue;
    std::string_view name(end + 3);
    name = name.substr(0, name.find_first_of(" \t\n"));
    if (addr != 0 && std::find(names.begin(), names.end(), name) != names.end())
      out.emplace(std::string(name), addr);
  }
  std::fclose(f);
  return out;
}

}  // namespace scxsnap::capture_detail
