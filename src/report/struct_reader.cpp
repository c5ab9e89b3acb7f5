// SPDX-License-Identifier: Apache-2.0
// JSON → the dump's structs, driven by their tables (report_fields.hpp) with
// serde's derive rules: members in any order, unknown keys ignored, a key
// given twice an error, required members required, Options null or absent,
// the checks the types imply; every error names the JSON path.
#include "opaque_shapes.hpp"
#include "report_fields.hpp"
#include "report_reader.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace scxsnap::detail {

// ---- the checks the tables name ---------------------------------------------------

Result<void> check_softirqs(const PerCpuTimeStats& s, const PathNode& p) {
  // serde's [u64; 10]: exactly the ten softirq counters.
  if (s.softirqs.size() != kNrSoftirqs)
    return json_error(
        p, fmt::format("expected an array of length {}, found {}", kNrSoftirqs, s.softirqs.size()));
  return {};
}
Result<void> check_single_schema(const FailureDumpReport& r, const PathNode& p) {
  if (r.schema == kSchemaSingle) return {};
  return json_error(p, fmt::format("report schema '{}' is not supported (expected '{}'; "
                                   "dual and degraded reports carry no map snapshot of their own)",
                                   r.schema, kSchemaSingle));
}
Result<void> check_vcpu_regs(const FailureDumpReport& r, const PathNode& p) {
  return check_shapes(r.vcpu_regs, OpaqueShape::VcpuRegSnapshot, path_text(&p));
}
Result<void> check_sdt_allocations(const FailureDumpReport& r, const PathNode& p) {
  return check_shapes(r.sdt_allocations, OpaqueShape::SdtAllocatorSnapshot, path_text(&p));
}
Result<void> check_static_ranges(const FailureDumpReport& r, const PathNode& p) {
  if (!r.scx_static_ranges) return {};
  return check_shape(*r.scx_static_ranges, OpaqueShape::ScxStaticSnapshot, path_text(&p));
}
Result<void> check_vcpu_perf(const FailureDumpReport& r, const PathNode& p) {
  return check_shapes(r.vcpu_perf_at_freeze, OpaqueShape::VcpuPerfSample, path_text(&p));
}
Result<void> check_degraded_vcpu_regs(const DegradedFailureDumpReport& d, const PathNode& p) {
  return check_shapes(d.vcpu_regs, OpaqueShape::VcpuRegSnapshot, path_text(&p));
}
Result<void> check_latch_state(const DegradedFailureDumpReport& d, const PathNode& p) {
  static constexpr std::array<std::string_view, 4> kStates = {"triggered", "not_triggered",
                                                              "out_of_bounds", "not_resolved"};
  if (std::find(kStates.begin(), kStates.end(), d.bss_latch_state) != kStates.end()) return {};
  return json_error(p, fmt::format("unknown variant `{}`, expected one of `triggered`, "
                                   "`not_triggered`, `out_of_bounds`, `not_resolved`",
                                   d.bss_latch_state));
}

namespace {

// ---- one member, by its type --------------------------------------------------------
// Overloads, so the table walk stays one small template. The templates are
// declared before any is defined: each may call any other.

Result<void> read_member(std::uint64_t& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_u64(v, p));
  return {};
}
Result<void> read_member(std::uint32_t& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_u32(v, p));
  return {};
}
Result<void> read_member(std::int64_t& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_i64(v, p));
  return {};
}
Result<void> read_member(std::int32_t& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_i32(v, p));
  return {};
}
Result<void> read_member(bool& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_bool(v, p));
  return {};
}
Result<void> read_member(std::string& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_string(v, p));
  return {};
}
// Arena page bytes: a JSON array of small integers.
Result<void> read_member(std::uint8_t& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(std::uint64_t x, read_u64(v, p));
  if (x > 255) return json_error(p, fmt::format("expected a byte (0-255), found {}", x));
  d = static_cast<std::uint8_t>(x);
  return {};
}
Result<void> read_member(RenderedValue& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_rendered(v, p, 0));
  return {};
}
Result<void> read_member(JsonValue& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(d, read_json_value(v, p, 1));
  return {};
}
template <class T>
Result<void> read_member(std::optional<T>& d, od::value v, const PathNode& p);
template <class T>
Result<void> read_member(std::vector<T>& d, od::value v, const PathNode& p);
template <Described S>
Result<void> read_member(S& s, od::value v, const PathNode& p);

// Keys a struct does not describe: ignored (serde), except TaskEnrichment's,
// which are kept in order (serde's flatten into a map).
template <class S>
Result<void> read_extra(S&, std::string_view, od::value, const PathNode&) {
  return {};
}
Result<void> read_extra(TaskEnrichment& t, std::string_view k, od::value v, const PathNode& p) {
  std::string key(k);  // copy before reading the value reuses the string buffer
  SCXSNAP_TRY(JsonValue x, read_json_value(v, p, 1));
  t.rest.emplace_back(std::move(key), std::move(x));
  return {};
}
template <class S>
Result<void> finish(S&, const PathNode&) {
  return {};
}
Result<void> finish(TaskEnrichment& t, const PathNode& p) {
  return check_task_enrichment_rest(t.rest, path_text(&p));
}
// A static-range snapshot that serde would skip when writing (no `ranges`,
// nothing skipped: keys it does not know count for nothing) is read as
// absent, so what is read writes back to JSON that reads to the same model.
Result<void> finish(FailureDumpReport& r, const PathNode&) {
  if (r.scx_static_ranges && static_ranges_skipped(r)) r.scx_static_ranges.reset();
  return {};
}

template <class T>
Result<void> read_member(std::optional<T>& d, od::value v, const PathNode& p) {
  bool null = false;
  if (!v.is_null().get(null) && null) {
    d.reset();
    return {};
  }
  T x{};
  SCXSNAP_TRY_VOID(read_member(x, v, p));
  d = std::move(x);
  return {};
}

template <class T>
Result<void> read_member(std::vector<T>& d, od::value v, const PathNode& p) {
  SCXSNAP_TRY(od::array arr, read_array(v, p));
  d.clear();
  return for_each_element(arr, p, [&](od::value e, const PathNode& ep) -> Result<void> {
    T x{};
    SCXSNAP_TRY_VOID(read_member(x, e, ep));
    d.push_back(std::move(x));
    return {};
  });
}

// A described struct from its table.
template <Described S>
Result<void> read_member(S& s, od::value v, const PathNode& p) {
  const auto& fields = fields_of(static_cast<const S*>(nullptr));
  constexpr std::size_t kN = std::tuple_size_v<std::remove_cvref_t<decltype(fields)>>;
  static_assert(kN <= 64, "KeySet holds 64 keys");
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  KeySet ks(p);
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view k, od::value fv, const PathNode& fp) -> Result<void> {
        for (std::size_t i = 0; i < kN; ++i) {
          const auto& f = fields[i];
          if (f.name != k) continue;
          SCXSNAP_TRY_VOID(ks.see(static_cast<int>(i), k));
          SCXSNAP_TRY_VOID(std::visit([&](auto m) { return read_member(s.*m, fv, fp); }, f.member));
          if (f.check) return f.check(s, fp);
          return Result<void>{};
        }
        return read_extra(s, k, fv, fp);
      }));
  for (std::size_t i = 0; i < kN; ++i)
    if (fields[i].presence == Presence::Required)
      SCXSNAP_TRY_VOID(ks.require(static_cast<int>(i), fields[i].name));
  return finish(s, p);
}

}  // namespace

template <Described S>
Result<S> read_described(od::value v, const PathNode& p) {
  S s{};
  SCXSNAP_TRY_VOID(read_member(s, v, p));
  return s;
}

template Result<FailureDumpReport> read_described(od::value, const PathNode&);
template Result<FailureDumpMap> read_described(od::value, const PathNode&);
template Result<FailureDumpEntry> read_described(od::value, const PathNode&);
template Result<FailureDumpArrayEntry> read_described(od::value, const PathNode&);
template Result<FailureDumpPercpuEntry> read_described(od::value, const PathNode&);
template Result<FailureDumpPercpuHashEntry> read_described(od::value, const PathNode&);

Result<FailureDumpFile> read_dump_value(od::value v, const PathNode& p, std::string_view schema) {
  if (schema == kSchemaDual) {
    SCXSNAP_TRY(DualFailureDumpReport d, read_described<DualFailureDumpReport>(v, p));
    return FailureDumpFile(std::move(d));
  }
  SCXSNAP_TRY(DegradedFailureDumpReport d, read_described<DegradedFailureDumpReport>(v, p));
  return FailureDumpFile(std::move(d));
}

}  // namespace scxsnap::detail
