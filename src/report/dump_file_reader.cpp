// SPDX-License-Identifier: Apache-2.0
// Reading the dual and degraded dumps (the single report has its own reader):
// serde's rules — unknown keys ignored, required fields required, Options
// null or absent, every error with its JSON path.
#include "report/opaque_shapes.hpp"
#include "report/report_reader.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace scxsnap::detail {
namespace {

bool is_null(od::value v) {
  bool null = false;
  return !v.is_null().get(null) && null;
}

Result<std::optional<std::string>> opt_string(od::value v, const PathNode& p) {
  if (is_null(v)) return std::optional<std::string>();
  SCXSNAP_TRY(std::string s, read_string(v, p));
  return std::optional<std::string>(std::move(s));
}

Error missing(const PathNode& p, std::string_view field, std::string_view what) {
  return json_error(p, fmt::format("missing field `{}` (a {} dump requires it)", field, what));
}

Result<FailureDumpFile> read_dual(od::object obj, const PathNode& p) {
  DualFailureDumpReport d;
  bool has_late = false;
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view k, od::value v, const PathNode& fp) -> Result<void> {
        if (k == "early") {
          if (is_null(v)) return {};
          SCXSNAP_TRY(FailureDumpReport r, read_report_value(v, fp));
          d.early = std::move(r);
        } else if (k == "late") {
          SCXSNAP_TRY(d.late, read_report_value(v, fp));
          has_late = true;
        } else if (k == "early_max_age_jiffies") {
          SCXSNAP_TRY(d.early_max_age_jiffies, read_u64(v, fp));
        } else if (k == "early_threshold_jiffies") {
          SCXSNAP_TRY(d.early_threshold_jiffies, read_u64(v, fp));
        } else if (k == "early_skipped_reason") {
          SCXSNAP_TRY(d.early_skipped_reason, opt_string(v, fp));
        }
        return {};  // "schema" was read already; unknown keys are ignored
      }));
  if (!has_late) return missing(p, "late", "dual");
  return FailureDumpFile(std::move(d));
}

constexpr std::string_view kLatchStates[] = {"triggered", "not_triggered", "out_of_bounds",
                                             "not_resolved"};

Result<FailureDumpFile> read_degraded(od::object obj, const PathNode& p) {
  DegradedFailureDumpReport d;
  bool has_reason = false, has_hit = false, has_latch = false;
  SCXSNAP_TRY_VOID(for_each_field(
      obj, p, [&](std::string_view k, od::value v, const PathNode& fp) -> Result<void> {
        if (k == "reason") {
          SCXSNAP_TRY(d.reason, read_string(v, fp));
          has_reason = true;
        } else if (k == "vcpu_regs") {
          SCXSNAP_TRY(od::array a, read_array(v, fp));
          std::size_t i = 0;
          for (auto el : a) {
            PathNode ep = fp.at(i++);
            od::value ev;
            if (auto err = el.get(ev)) return json_error(ep, err);
            SCXSNAP_TRY(JsonValue j, read_json_value(ev, ep, 0));
            d.vcpu_regs.push_back(std::move(j));
          }
          SCXSNAP_TRY_VOID(check_shapes(d.vcpu_regs, OpaqueShape::VcpuRegSnapshot, path_text(&fp)));
        } else if (k == "watchpoint_hit") {
          SCXSNAP_TRY(d.watchpoint_hit, read_bool(v, fp));
          has_hit = true;
        } else if (k == "bss_latch_state") {
          SCXSNAP_TRY(d.bss_latch_state, read_string(v, fp));
          if (std::find(std::begin(kLatchStates), std::end(kLatchStates), d.bss_latch_state) ==
              std::end(kLatchStates))
            return json_error(fp, fmt::format("unknown variant `{}`, expected one of `triggered`, "
                                              "`not_triggered`, `out_of_bounds`, `not_resolved`",
                                              d.bss_latch_state));
          has_latch = true;
        } else if (k == "exit_kind") {
          if (is_null(v)) return {};
          SCXSNAP_TRY(std::uint32_t x, read_u32(v, fp));
          d.exit_kind = x;
        } else if (k == "elapsed_ms") {
          SCXSNAP_TRY(d.elapsed_ms, read_u64(v, fp));
        }
        return {};
      }));
  if (!has_reason) return missing(p, "reason", "degraded");
  if (!has_hit) return missing(p, "watchpoint_hit", "degraded");
  if (!has_latch) return missing(p, "bss_latch_state", "degraded");
  return FailureDumpFile(std::move(d));
}

}  // namespace

Result<FailureDumpFile> read_dump_value(od::value v, const PathNode& p, std::string_view schema) {
  SCXSNAP_TRY(od::object obj, read_object(v, p));
  if (schema == kSchemaDual) return read_dual(obj, p);
  return read_degraded(obj, p);
}

}  // namespace scxsnap::detail
