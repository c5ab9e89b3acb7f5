// SPDX-License-Identifier: Apache-2.0
#include "scxsnap/report_text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace scxsnap {
namespace {

std::string ringbuf_line(const FailureDumpRingbuf& r, bool json) {
  if (json)
    return fmt::format(
        R"({{"capacity":{},"consumer_pos":{},"producer_pos":{},"pending_pos":{},"pending_bytes":{}}})",
        r.capacity, r.consumer_pos, r.producer_pos, r.pending_pos, r.pending_bytes);
  return fmt::format(
      "ringbuf: capacity {} consumer_pos {} producer_pos {} pending_pos {} pending_bytes {} "
      "(unread {})",
      r.capacity, r.consumer_pos, r.producer_pos, r.pending_pos, r.pending_bytes,
      r.producer_pos >= r.consumer_pos ? r.producer_pos - r.consumer_pos : 0);
}

std::string pcs_text(const std::vector<std::uint64_t>& pcs, bool json) {
  std::string s;
  for (auto pc : pcs) {
    if (!s.empty()) s += ',';
    s += json ? fmt::format("{}", pc) : fmt::format("0x{:x}", pc);
  }
  return s;
}

void stack_lines(const FailureDumpStackTrace& st, bool json, std::vector<std::string>& out) {
  for (const auto& e : st.entries)
    out.push_back(json ? fmt::format(R"({{"bucket_id":{},"nr":{},"pcs":[{}]}})", e.bucket_id, e.nr,
                                     pcs_text(e.pcs, true))
                       : fmt::format("bucket {}: {} frames: {}", e.bucket_id, e.nr,
                                     e.pcs.empty() ? "hex " + e.data_hex : pcs_text(e.pcs, false)));
  if (!json && (st.truncated || st.buckets_unreadable))
    out.push_back(fmt::format("({} of {} buckets listed{}{})", st.entries.size(), st.n_buckets,
                              st.truncated ? ", truncated" : "",
                              st.buckets_unreadable
                                  ? fmt::format(", {} unreadable", st.buckets_unreadable)
                                  : std::string()));
}

// "inner_a" when the report holds the map with that id too.
std::string captured_name(const FailureDumpReport& r, std::uint32_t id) {
  for (const auto& m : r.maps)
    if (m.map_id == id) return m.name;
  return {};
}

void fd_array_lines(const FailureDumpFdArray& a, bool json, const FailureDumpReport& r,
                    std::vector<std::string>& out) {
  for (std::size_t i = 0; i < a.indices.size(); ++i) {
    bool has_inner = i < a.inner_map_ids.size();
    std::string name = has_inner ? captured_name(r, a.inner_map_ids[i]) : std::string();
    if (json)
      out.push_back(
          has_inner ? fmt::format(
                          R"({{"index":{},"inner_map_id":{}{}}})", a.indices[i], a.inner_map_ids[i],
                          name.empty() ? std::string() : fmt::format(R"(,"inner_map":"{}")", name))
                    : fmt::format(R"({{"index":{}}})", a.indices[i]));
    else
      out.push_back(has_inner
                        ? fmt::format("slot {}: map id {}{}", a.indices[i], a.inner_map_ids[i],
                                      name.empty() ? " (not in this report)"
                                                   : " (" + name + ", in this report)")
                        : fmt::format("slot {}: populated", a.indices[i]));
  }
  if (!json)
    out.push_back(
        fmt::format("({} populated of {} scanned{}{})", a.populated, a.scanned,
                    a.truncated || a.indices_truncated ? ", list truncated" : "",
                    a.unreadable ? fmt::format(", {} unreadable", a.unreadable) : std::string()));
}

void arena_lines(const ArenaSnapshot& a, bool json, std::vector<std::string>& out) {
  for (const auto& p : a.pages) {
    auto nonzero = std::count_if(p.bytes.begin(), p.bytes.end(), [](auto b) { return b != 0; });
    out.push_back(json ? fmt::format(R"({{"user_addr":{},"bytes":{},"nonzero":{}}})", p.user_addr,
                                     p.bytes.size(), nonzero)
                       : fmt::format("page 0x{:x}: {} bytes, {} non-zero", p.user_addr,
                                     p.bytes.size(), nonzero));
  }
  if (!json)
    out.push_back(fmt::format("(arena: {} declared pages, {} captured, user_vm_start 0x{:x}{})",
                              a.declared_pages, a.pages.size(), a.user_vm_start,
                              a.truncated || a.span_capped ? ", truncated" : ""));
}

}  // namespace

std::vector<std::string> special_contents(const FailureDumpMap& m, bool json,
                                          const FailureDumpReport& report) {
  std::vector<std::string> out;
  if (m.ringbuf) out.push_back(ringbuf_line(*m.ringbuf, json));
  if (m.stack_trace) stack_lines(*m.stack_trace, json, out);
  if (m.fd_array) fd_array_lines(*m.fd_array, json, report, out);
  if (m.arena) arena_lines(*m.arena, json, out);
  return out;
}

}  // namespace scxsnap
