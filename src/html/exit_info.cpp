// SPDX-License-Identifier: Apache-2.0
// A scheduler's exit information (user_exit_info) told as text: found by
// name through the typed walk, its char arrays read up to their NUL.
#include "scxsnap/report_text.hpp"
#include "scxsnap/snapshot.hpp"

#include <array>
#include <fmt/format.h>
#include <utility>

namespace scxsnap {
namespace {

// A char array's text, up to its first NUL (non-char elements end it).
std::optional<std::string> chars(const RenderedValue* v) {
  if (!v || v->kind() != ValueKind::Array) return std::nullopt;
  std::string out;
  for (const auto& e : v->elements()) {
    if (e.kind() != ValueKind::Char && e.kind() != ValueKind::Int && e.kind() != ValueKind::Uint)
      return std::nullopt;
    const auto c = e.kind() == ValueKind::Char ? e.char_value()
                                               : static_cast<std::uint8_t>(e.as_u64().value_or(0));
    if (c == 0) break;
    out += static_cast<char>(c);
  }
  return out;
}

// sched_ext's enum scx_exit_kind (include/linux/sched/ext.h: kernel ABI).
std::string kind_name(std::int64_t k) {
  static constexpr std::array<std::pair<std::int64_t, const char*>, 9> kNames{{
      {0, "SCX_EXIT_NONE"},
      {1, "SCX_EXIT_DONE"},
      {64, "SCX_EXIT_UNREG"},
      {65, "SCX_EXIT_UNREG_BPF"},
      {66, "SCX_EXIT_UNREG_KERN"},
      {67, "SCX_EXIT_SYSRQ"},
      {1024, "SCX_EXIT_ERROR"},
      {1025, "SCX_EXIT_ERROR_BPF"},
      {1026, "SCX_EXIT_ERROR_STALL"},
  }};
  for (const auto& [v, n] : kNames)
    if (v == k) return n;
  return {};
}

}  // namespace

std::optional<ExitInfo> exit_info(const FailureDumpReport& r) {
  Snapshot snap(r);
  SnapshotField uei = snap.var("uei");
  const RenderedValue* v = uei.raw();
  if (!v || v->kind() != ValueKind::Struct) return std::nullopt;
  const RenderedValue* kind = v->member("kind");
  const RenderedValue* code = v->member("exit_code");
  auto reason = chars(v->member("reason"));
  auto msg = chars(v->member("msg"));
  if (!kind || !code || !reason || !msg) return std::nullopt;
  ExitInfo e;
  e.kind = kind->as_i64().value_or(0);
  e.kind_name = kind_name(e.kind);
  e.exit_code = code->as_i64().value_or(0);
  e.reason = std::move(*reason);
  e.msg = std::move(*msg);
  if (auto d = chars(snap.var("uei_dump").raw())) e.dump = std::move(*d);
  return e;
}

std::vector<std::string> exit_info_lines(const ExitInfo& e) {
  std::vector<std::string> out;
  out.push_back(fmt::format("exit: kind {}{} code {}", e.kind,
                            e.kind_name.empty() ? "" : fmt::format(" ({})", e.kind_name),
                            e.exit_code));
  if (!e.reason.empty()) out.push_back("reason: " + e.reason);
  if (!e.msg.empty()) out.push_back("msg: " + e.msg);
  if (!e.dump.empty()) {
    out.emplace_back("dump:");
    std::size_t at = 0;
    while (at < e.dump.size()) {
      std::size_t nl = e.dump.find('\n', at);
      if (nl == std::string::npos) nl = e.dump.size();
      out.push_back("  " + e.dump.substr(at, nl - at));
      at = nl + 1;
    }
  }
  return out;
}

}  // namespace scxsnap
