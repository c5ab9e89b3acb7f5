// SPDX-License-Identifier: Apache-2.0
// Report facts shared by the views (report_facts.hpp).
#include "scxsnap/report_text.hpp"

#include "scxsnap/json_value.hpp"

#include <fmt/format.h>
#include <map>

namespace scxsnap {
namespace {

// Arrays that kept fewer elements than their declared length because of
// the array cap (ktstr's 4,096 unless capture was given --max-array-elements;
// not the render budget: those sit inside a `truncated` value and are listed
// with the map's error). Paths use [] for any index, so one line stands for
// all the copies inside outer arrays.
void collect_capped(const RenderedValue& v, const std::string& path, std::uint64_t copies,
                    std::map<std::string, Capped>& out) {
  switch (v.kind()) {
    case ValueKind::Struct:
      for (const auto& m : v.members())
        collect_capped(
            m.value,
            path.empty() ? std::string(m.name.view()) : path + "." + std::string(m.name.view()),
            copies, out);
      break;
    case ValueKind::Array: {
      if (v.array_len() > v.elements().size()) {
        auto& c = out[path];
        c.declared = v.array_len();
        c.kept = v.elements().size();
        c.places += copies;
      }
      // One element stands for its siblings (same type and shape).
      if (!v.elements().empty())
        collect_capped(v.elements().front(), path + "[]", copies * v.elements().size(), out);
      break;
    }
    case ValueKind::Ptr:
      if (v.deref()) collect_capped(*v.deref(), path, copies, out);
      break;
    default:  // Truncated: cut by the budget, said by the map's error
      break;
  }
}

}  // namespace

std::string describe_value(const RenderedValue& v) {
  switch (v.kind()) {
    case ValueKind::Struct:
      return fmt::format("struct {} ({} members)", v.type_name().value_or("<anon>"),
                         v.members().size());
    case ValueKind::Array:
      return fmt::format("array[{}]", v.array_len());
    case ValueKind::Truncated:
      return fmt::format("truncated ({} of {} bytes shown in full) {}", v.had(), v.needed(),
                         v.partial() ? describe_value(*v.partial()) : std::string());
    case ValueKind::Bytes: {
      // A summary line: the first 16 bytes and the count (`map` prints them all).
      constexpr std::size_t kShown = 16 * 3 - 1;
      const std::string& hex = v.text();
      if (hex.size() <= kShown) return "bytes " + hex;
      return fmt::format("bytes {} ... ({} bytes)", hex.substr(0, kShown), (hex.size() + 1) / 3);
    }
    default:
      return std::string(kind_tag(v.kind())) + " " + v.display(DisplayOptions{true, true});
  }
}

std::string describe_content(const FailureDumpMap& m) {
  std::vector<std::string> parts;
  if (m.value) parts.push_back("value: " + describe_value(*m.value));
  if (!m.entries.empty()) parts.push_back(fmt::format("{} entries", m.entries.size()));
  if (!m.array_entries.empty())
    parts.push_back(fmt::format("{} array slots", m.array_entries.size()));
  if (!m.percpu_entries.empty())
    parts.push_back(fmt::format("{} keys x {} cpus", m.percpu_entries.size(),
                                m.percpu_entries.front().per_cpu.size()));
  if (!m.percpu_hash_entries.empty())
    parts.push_back(fmt::format("{} entries x {} cpus", m.percpu_hash_entries.size(),
                                m.percpu_hash_entries.front().per_cpu.size()));
  if (m.ringbuf)
    parts.push_back(fmt::format("ringbuf cons={} prod={} pending={}B", m.ringbuf->consumer_pos,
                                m.ringbuf->producer_pos, m.ringbuf->pending_bytes));
  if (m.stack_trace) parts.push_back(fmt::format("{} stacks", m.stack_trace->entries.size()));
  if (m.fd_array)
    parts.push_back(
        fmt::format("{} of {} slots populated", m.fd_array->populated, m.fd_array->scanned));
  if (m.arena) parts.push_back(fmt::format("arena {} pages captured", m.arena->pages.size()));
  if (m.error) parts.push_back("error: " + *m.error);
  if (parts.empty()) return "(empty)";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The *_unavailable reasons that are set.
std::vector<std::pair<std::string, const std::string*>> unavailable_reasons(
    const FailureDumpReport& r) {
  std::vector<std::pair<std::string, const std::string*>> out;
  for (const auto& [name, reason] :
       {std::pair{"sdt_alloc", &r.sdt_alloc_unavailable},
        std::pair{"prog_runtime_stats", &r.prog_runtime_stats_unavailable},
        std::pair{"per_node_numa", &r.per_node_numa_unavailable},
        std::pair{"task_enrichments", &r.task_enrichments_unavailable},
        std::pair{"scx_walker", &r.scx_walker_unavailable}})
    if (*reason) out.emplace_back(name, &**reason);
  return out;
}

std::vector<CappedRow> capped_arrays(const FailureDumpReport& r) {
  std::vector<CappedRow> rows;
  for (const auto& m : r.maps) {
    std::map<std::string, Capped> capped;
    if (m.value) collect_capped(*m.value, "", 1, capped);
    if (!m.array_entries.empty())
      if (const auto& v = m.array_entries.front().value)
        collect_capped(*v, "[]", m.array_entries.size(), capped);
    if (!m.entries.empty())
      if (const auto& v = m.entries.front().value)
        collect_capped(*v, "[]", m.entries.size(), capped);
    for (auto& [path, c] : capped) rows.push_back({&m, path, c});
  }
  return rows;
}

}  // namespace scxsnap
