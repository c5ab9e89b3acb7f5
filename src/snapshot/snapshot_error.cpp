// SPDX-License-Identifier: Apache-2.0
// SnapshotError: Display texts (ktstr's, word for word) and externally tagged JSON.
#include "scxsnap/snapshot_error.hpp"

#include "report/json/json_writer.hpp"
#include "report/report_writer.hpp"
#include "rust_debug.hpp"

#include <fmt/format.h>

namespace scxsnap {
namespace {

using detail::JsonWriter;

std::string excluded_cause(const errors::ActiveFilterExcludedMaps& e) {
  bool any_zero = false, any_mismatch = false;
  for (const auto& m : e.excluded_maps) {
    if (m.map_kva == 0)
      any_zero = true;
    else
      any_mismatch = true;
  }
  if (!any_zero && any_mismatch)
    return "this snapshot pre-dates your most recent Op::ReplaceScheduler / Op::AttachScheduler — "
           "wait for the next periodic boundary (or re-run the test) so the walker re-publishes "
           "the "
           "live scheduler's KVAs";
  if (any_zero && !any_mismatch)
    return "the captured maps have no recorded KVAs — the snapshot pre-dates the walker plumbing, "
           "or the capture path failed to record per-map KVAs";
  if (any_zero && any_mismatch)
    return "some captured maps lack KVAs and some disagree with the walker's whitelist — both "
           "pre-walker-capture state and a post-swap window can produce this; re-run the test to "
           "regenerate the snapshot";
  return "captured KVAs were neither absent nor in disagreement";
}

struct MessageVisitor {
  std::string operator()(const errors::MapNotFound& e) const {
    return fmt::format("snapshot has no map '{}' (captured maps: {})", e.requested,
                       detail::rust_debug_list(e.available));
  }
  std::string operator()(const errors::VarNotFound& e) const {
    return fmt::format(
        "snapshot has no global variable '{}' in any *.bss/*.data/*.rodata map (available "
        "globals: {})",
        e.requested, detail::rust_debug_list(e.available));
  }
  std::string operator()(const errors::AmbiguousVar& e) const {
    return fmt::format(
        "snapshot global '{}' is ambiguous (found in {}); use Snapshot::active().var(name) (or the "
        "shorthand Snapshot::live_var(name)) to pick the active scheduler's copy automatically, or "
        "Snapshot::map(name) to address a specific scheduler's bss explicitly",
        e.requested, detail::rust_debug_list(e.found_in));
  }
  std::string operator()(const errors::FieldNotFound& e) const {
    return fmt::format(
        "path '{}': component '{}' (after walking '{}') not found (members at this depth: {})",
        e.requested, e.component, e.walked, detail::rust_debug_list(e.available));
  }
  std::string operator()(const errors::NotAStruct& e) const {
    return fmt::format("path '{}': component '{}' (after walking '{}') expected a Struct, got {}",
                       e.requested, e.component, e.walked, e.kind);
  }
  std::string operator()(const errors::TypeMismatch& e) const {
    return fmt::format("path '{}': cannot read as {} — actual rendered variant is {}", e.requested,
                       e.expected, e.actual);
  }
  std::string operator()(const errors::IndexOutOfRange& e) const {
    return fmt::format("map '{}': index {} out of range (length {})", e.map, e.index, e.len);
  }
  std::string operator()(const errors::PerCpuSlot& e) const {
    if (e.unmapped)
      return fmt::format("map '{}': cpu {} per-CPU slot is unmapped (None)", e.map, e.cpu);
    return fmt::format("map '{}': cpu {} out of range (have {} per-CPU slots)", e.map, e.cpu,
                       e.len);
  }
  std::string operator()(const errors::NoMatch& e) const {
    if (e.len == 0)
      return fmt::format("map '{}': {} matched no entries (map is empty)", e.map, e.op);
    if (e.available_keys.empty())
      return fmt::format("map '{}': {} matched none of {} entries (sample keys unavailable)", e.map,
                         e.op, e.len);
    std::string s =
        fmt::format("map '{}': {} matched none of {} entries (first {}: {})", e.map, e.op, e.len,
                    e.available_keys.size(), detail::rust_debug_list(e.available_keys));
    bool all_hex = true;
    for (const auto& k : e.available_keys) all_hex = all_hex && k.starts_with("hex:");
    if (all_hex)
      s += " (BTF missing at capture — keys shown as hex bytes; rebuild guest kernel with "
           "CONFIG_DEBUG_INFO_BTF=y for typed keys)";
    return s;
  }
  std::string operator()(const errors::EmptyPathComponent& e) const {
    return fmt::format("path '{}' has an empty component (consecutive '.')", e.requested);
  }
  std::string operator()(const errors::PerCpuNotNarrowed& e) const {
    return fmt::format("map '{}': per-CPU entry without a CPU narrow — call .cpu(N) first", e.map);
  }
  std::string operator()(const errors::NoRendered& e) const {
    return fmt::format("map '{}': {} has no rendered structure (no BTF type at capture time)",
                       e.map, e.side);
  }
  std::string operator()(const errors::PlaceholderSample& e) const {
    return fmt::format("sample '{}' is a placeholder report (capture pipeline did not land): {}",
                       e.tag, e.reason);
  }
  std::string operator()(const errors::MissingStats& e) const {
    return fmt::format("sample '{}': stats absent ({})", e.tag, e.reason.message());
  }
  std::string operator()(const errors::HostFieldUnavailable& e) const {
    return fmt::format(
        "sample '{}': per_cpu_time has no entry for cpu {} (placeholder report or kernel-walker "
        "resolution failure)",
        e.tag, e.cpu);
  }
  std::string operator()(const errors::PlaceholderSnapshot& e) const {
    if (e.tag)
      return fmt::format(
          "snapshot '{}' is a placeholder — the freeze-rendezvous path could not capture real "
          "data; no maps to walk",
          *e.tag);
    return "snapshot is a placeholder — the freeze-rendezvous path could not capture real data; no "
           "maps to walk";
  }
  std::string operator()(const errors::NoActiveScheduler& e) const {
    return fmt::format(
        "snapshot has no currently-active scheduler ({}); use Snapshot::vars(name) to enumerate "
        "every observed copy explicitly, Snapshot::live_var(name) to keep the typed error path "
        "while opting into the active filter, or Snapshot::map(\"<obj>.<section>\") to address a "
        "specific scheduler's bss directly",
        e.reason);
  }
  std::string operator()(const errors::ActiveFilterExcludedMaps& e) const {
    std::string list;
    for (const auto& m : e.excluded_maps) {
      if (!list.empty()) list += ", ";
      list += fmt::format("{}@0x{:x}", m.name, m.map_kva);
    }
    return fmt::format(
        "snapshot lookup '{}' returned no hits under the active filter (obj='{}'): the walker's "
        "KVA whitelist {} excluded {} captured map(s) sharing the obj prefix: {} — {}. Reach for "
        "Snapshot::vars('{}') to enumerate every copy across all obj prefixes, or "
        "Snapshot::map(\"<name>\") to address one of the excluded maps directly.",
        e.requested, e.active_obj, detail::rust_debug_hex_list(e.whitelist_kvas),
        e.excluded_maps.size(), list, excluded_cause(e), e.requested);
  }
  std::string operator()(const errors::WalkerDriftedWithinPhase& e) const {
    return fmt::format(
        "walker drift within {}: lookup '{}' resolved against KVA set {}, but an earlier "
        "same-phase snapshot pinned {}. The walker re-published mid-phase (the scheduler was "
        "replaced inside the phase), so the samples of this phase do not describe one scheduler "
        "instance — split the phase at the swap or re-run the test",
        to_json_text(e.phase), e.requested, detail::rust_debug_hex_list(e.sample_kvas),
        detail::rust_debug_hex_list(e.pinned_kvas));
  }
  std::string operator()(const errors::ProjectionFailed& e) const {
    return "projection failed: " + e.reason;
  }
  std::string operator()(const errors::MapRenderIncomplete& e) const {
    return fmt::format("map '{}' contents unavailable (render failed at capture): {}", e.map,
                       e.error);
  }
};

constexpr std::array<std::string_view, 21> kVariantNames = {"MapNotFound",
                                                            "VarNotFound",
                                                            "AmbiguousVar",
                                                            "FieldNotFound",
                                                            "NotAStruct",
                                                            "TypeMismatch",
                                                            "IndexOutOfRange",
                                                            "PerCpuSlot",
                                                            "NoMatch",
                                                            "EmptyPathComponent",
                                                            "PerCpuNotNarrowed",
                                                            "NoRendered",
                                                            "PlaceholderSample",
                                                            "MissingStats",
                                                            "HostFieldUnavailable",
                                                            "PlaceholderSnapshot",
                                                            "NoActiveScheduler",
                                                            "ActiveFilterExcludedMaps",
                                                            "WalkerDriftedWithinPhase",
                                                            "ProjectionFailed",
                                                            "MapRenderIncomplete"};

}  // namespace

std::string MissingStatsReason::message() const {
  switch (kind) {
    case Kind::NoSchedulerBinary:
      return "no scheduler_binary configured for this run";
    case Kind::NoScheduler:
      return "guest relay reports no scheduler: " + reason;
    case Kind::DuringFreeze:
      return "stats request cancelled — freeze coordinator paused the scheduler";
    case Kind::Cancelled:
      return "stats request cancelled — run-wide cancel flag was set (watchdog or shutdown)";
    case Kind::SchedulerError:
      return fmt::format("scheduler returned errno={} (args={})", err_no, to_json_text(args));
    case Kind::MissingResp:
      return fmt::format("scheduler envelope missing 'resp' key (args={})", to_json_text(args));
    case Kind::RequestTooLarge:
      return fmt::format("stats request {} bytes exceeds {}-byte cap", size, max);
    case Kind::ResponseTooLarge:
      return fmt::format("stats response {} bytes exceeds {}-byte cap", size, max);
    case Kind::MutexPoisoned:
      return "stats client response mutex was poisoned";
  }
  return {};
}

std::string_view SnapshotError::variant_name() const {
  return kVariantNames[payload_.index()];
}

std::string SnapshotError::message() const {
  return std::visit(MessageVisitor{}, payload_);
}

std::size_t SnapshotError::hash() const {
  return std::hash<std::string>{}(to_json());
}

}  // namespace scxsnap
