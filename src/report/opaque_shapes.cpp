// SPDX-License-Identifier: Apache-2.0
#include "opaque_shapes.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <limits>
#include <span>
#include <string_view>

namespace scxsnap::detail {
namespace {

enum class Kind { U64, U32, I32, Bool, Str, Rendered, SdtEntries, StaticRanges };

struct Rule {
  std::string_view name;
  Kind kind;
  bool required;  // else Option / #[serde(default)]: absent or null
};

// ktstr's field tables (ktstr-temporal-and-dump-types.md, part B).
constexpr Rule kVcpuReg[] = {{"instruction_pointer", Kind::U64, true},
                             {"stack_pointer", Kind::U64, true},
                             {"page_table_root", Kind::U64, true},
                             {"user_page_table_root", Kind::U64, false},
                             {"tcr_el1", Kind::U64, false}};
constexpr Rule kVcpuPerf[] = {
    {"cycles", Kind::U64, true},          {"instructions", Kind::U64, true},
    {"cache_misses", Kind::U64, true},    {"branch_misses", Kind::U64, true},
    {"time_enabled_ns", Kind::U64, true}, {"time_running_ns", Kind::U64, true}};
constexpr Rule kSdtAllocator[] = {
    {"allocator_name", Kind::Str, true},      {"entries", Kind::SdtEntries, false},
    {"truncated", Kind::Bool, false},         {"skipped_subtrees", Kind::U32, true},
    {"elem_size", Kind::U64, true},           {"target_type_id", Kind::U32, true},
    {"payload_type_reason", Kind::Str, false}};
constexpr Rule kSdtEntry[] = {{"idx", Kind::I32, true},
                              {"genn", Kind::I32, true},
                              {"user_addr", Kind::U64, true},
                              {"payload", Kind::Rendered, true}};
constexpr Rule kScxStatic[] = {{"ranges", Kind::StaticRanges, false}, {"skipped", Kind::U32, true}};
constexpr Rule kScxStaticRange[] = {{"instance_name", Kind::Str, true},
                                    {"start_low32", Kind::U32, true},
                                    {"size", Kind::U64, true},
                                    {"capacity", Kind::U64, true}};
// TaskEnrichment beyond pid/tgid/comm (read as typed fields).
constexpr Rule kTaskRest[] = {{"group_leader_pid", Kind::I32, false},
                              {"real_parent_pid", Kind::I32, false},
                              {"real_parent_comm", Kind::Str, false},
                              {"pgid", Kind::I32, false},
                              {"sid", Kind::I32, false},
                              {"nr_threads", Kind::I32, false},
                              {"weight", Kind::U32, true},
                              {"prio", Kind::I32, true},
                              {"static_prio", Kind::I32, true},
                              {"normal_prio", Kind::I32, true},
                              {"rt_priority", Kind::U32, true},
                              {"sched_class", Kind::Str, false},
                              {"core_cookie", Kind::U64, false},
                              {"pi_boosted_out_of_scx", Kind::Bool, true},
                              {"nvcsw", Kind::U64, true},
                              {"nivcsw", Kind::U64, true},
                              {"signal_nvcsw", Kind::U64, false},
                              {"signal_nivcsw", Kind::U64, false},
                              {"lock_slowpath_match", Kind::Str, false}};

Error bad(const std::string& path, std::string_view what) {
  return Error(ErrorCode::BadInput, fmt::format("at {}: {}", path, what));
}

Result<void> check_rules(const std::vector<JsonValue::Member>& members, std::span<const Rule> rules,
                         const std::string& path);

Result<void> check_list(const JsonValue& v, std::span<const Rule> rules, const std::string& path) {
  if (!v.is_array()) return bad(path, "expected an array");
  for (std::size_t i = 0; i < v.items().size(); ++i) {
    const JsonValue& e = v.items()[i];
    std::string ep = fmt::format("{}[{}]", path, i);
    if (!e.is_object()) return bad(ep, "expected an object");
    SCXSNAP_TRY_VOID(check_rules(e.members(), rules, ep));
  }
  return {};
}

Result<void> check_value(const JsonValue& v, Kind k, const std::string& path) {
  auto within = [&](std::optional<std::int64_t> x, std::int64_t lo, std::int64_t hi) {
    return x && *x >= lo && *x <= hi;
  };
  switch (k) {
    case Kind::U64:
      if (!v.is_number() || !v.as_u64()) return bad(path, "expected an unsigned 64-bit integer");
      return {};
    case Kind::U32:
      if (auto u = v.is_number() ? v.as_u64() : std::nullopt; !u || *u > UINT32_MAX)
        return bad(path, "expected an unsigned 32-bit integer");
      return {};
    case Kind::I32:
      if (!v.is_number() || !within(v.as_i64(), INT32_MIN, INT32_MAX))
        return bad(path, "expected a signed 32-bit integer");
      return {};
    case Kind::Bool:
      if (!v.is_bool()) return bad(path, "expected a boolean");
      return {};
    case Kind::Str:
      if (!v.is_string()) return bad(path, "expected a string");
      return {};
    case Kind::Rendered:
      if (!v.is_object() || !v.find("kind") || !v.find("kind")->is_string())
        return bad(path, "expected a rendered value (an object with a \"kind\")");
      return {};
    case Kind::SdtEntries:
      return check_list(v, kSdtEntry, path);
    case Kind::StaticRanges:
      return check_list(v, kScxStaticRange, path);
  }
  return {};
}

Result<void> check_rules(const std::vector<JsonValue::Member>& members, std::span<const Rule> rules,
                         const std::string& path) {
  for (const Rule& r : rules) {
    const JsonValue* v = nullptr;
    for (const auto& [k, x] : members)
      if (k == r.name) v = &x;
    std::string fp = path.empty() ? std::string(r.name) : fmt::format("{}.{}", path, r.name);
    if (!v || v->is_null()) {
      if (r.required) return bad(path, fmt::format("missing field `{}`", r.name));
      continue;
    }
    SCXSNAP_TRY_VOID(check_value(*v, r.kind, fp));
  }
  return {};
}

std::span<const Rule> rules_of(OpaqueShape s) {
  switch (s) {
    case OpaqueShape::VcpuRegSnapshot:
      return kVcpuReg;
    case OpaqueShape::VcpuPerfSample:
      return kVcpuPerf;
    case OpaqueShape::SdtAllocatorSnapshot:
      return kSdtAllocator;
    case OpaqueShape::ScxStaticSnapshot:
      return kScxStatic;
  }
  return {};
}

}  // namespace

Result<void> check_shape(const JsonValue& v, OpaqueShape shape, const std::string& path) {
  bool nullable = shape == OpaqueShape::VcpuRegSnapshot || shape == OpaqueShape::VcpuPerfSample;
  if (v.is_null() && nullable) return {};
  if (!v.is_object())
    return bad(path, nullable ? "expected an object or null" : "expected an object");
  return check_rules(v.members(), rules_of(shape), path);
}

Result<void> check_shapes(const std::vector<JsonValue>& list, OpaqueShape shape,
                          const std::string& path) {
  for (std::size_t i = 0; i < list.size(); ++i)
    SCXSNAP_TRY_VOID(check_shape(list[i], shape, fmt::format("{}[{}]", path, i)));
  return {};
}

Result<void> check_task_enrichment_rest(const std::vector<JsonValue::Member>& rest,
                                        const std::string& path) {
  return check_rules(rest, kTaskRest, path);
}

}  // namespace scxsnap::detail
