// SPDX-License-Identifier: Apache-2.0
// The fields scxsnap keeps as opaque JSON (their text written back as read)
// still have ktstr's types: checked on input, so that what serde rejects is
// rejected here too, with the JSON path. One table per ktstr type.
#pragma once

#include "scxsnap/json_value.hpp"
#include "scxsnap/result.hpp"

#include <string>
#include <vector>

namespace scxsnap::detail {

enum class OpaqueShape {
  VcpuRegSnapshot,       ///< an element of vcpu_regs (null allowed)
  VcpuPerfSample,        ///< an element of vcpu_perf_at_freeze (null allowed)
  SdtAllocatorSnapshot,  ///< an element of sdt_allocations
  ScxStaticSnapshot,     ///< scx_static_ranges
};

/// `v` (found at `path`, e.g. "vcpu_regs[2]") against ktstr's type.
Result<void> check_shape(const JsonValue& v, OpaqueShape shape, const std::string& path);
/// Every element of a list.
Result<void> check_shapes(const std::vector<JsonValue>& list, OpaqueShape shape,
                          const std::string& path);
/// The fields of a TaskEnrichment beyond pid/tgid/comm (kept as `rest`).
Result<void> check_task_enrichment_rest(const std::vector<JsonValue::Member>& rest,
                                        const std::string& path);

}  // namespace scxsnap::detail
