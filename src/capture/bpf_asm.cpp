// SPDX-License-Identifier: Apache-2.0
// Loading scxsnap's own syscall programs (bpf_asm.hpp).
#include "bpf_asm.hpp"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace scxsnap::capture_detail::bpf_asm {

std::string last_line(const std::string& log) {
  std::string_view v(log.c_str());
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  auto nl = v.rfind('\n');
  if (nl != std::string_view::npos) {
    // "processed N insns" closes most logs: the reason is the line before.
    std::string_view tail = v.substr(nl + 1);
    if (tail.starts_with("processed ")) {
      v = v.substr(0, nl);
      nl = v.rfind('\n');
    }
  }
  return std::string(nl == std::string_view::npos ? v : v.substr(nl + 1));
}

Result<Fd> load_syscall_program(const char* name, const Program& p, std::string_view what) {
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_SLEEPABLE);
  int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, name, "GPL", p.data(), p.size(), &opts);
  if (fd >= 0) return Fd(fd);
  const int err = errno;
  std::string log(1 << 16, '\0');
  opts.log_buf = log.data();
  opts.log_size = static_cast<std::uint32_t>(log.size());
  opts.log_level = 1;
  fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, name, "GPL", p.data(), p.size(), &opts);
  if (fd >= 0) return Fd(fd);  // loaded the second time: fine
  const std::string why = last_line(log);
  if (err == EPERM || err == EACCES)
    return make_error(ErrorCode::PermissionDenied,
                      fmt::format("loading {}: {} (needs CAP_BPF and CAP_PERFMON, and a kernel "
                                  "not locked down for confidentiality){}{}",
                                  what, std::strerror(err), why.empty() ? "" : ": ", why));
  return make_error(
      ErrorCode::Unsupported,
      fmt::format("loading {}: {}{}{}", what, std::strerror(err), why.empty() ? "" : ": ", why));
}

}  // namespace scxsnap::capture_detail::bpf_asm
