// SPDX-License-Identifier: Apache-2.0
// The report reader's entry points inside the library.
#pragma once

#include "json_reader.hpp"
#include "scxsnap/dump_file.hpp"
#include "scxsnap/report.hpp"

#include <functional>
#include <optional>
#include <simdjson.h>
#include <string>

namespace scxsnap::detail {

/// A whole single report from one JSON value.
Result<FailureDumpReport> read_report_value(od::value v, const PathNode& p);
/// A dual or degraded dump from its top-level value (dump_file_reader.cpp).
Result<FailureDumpFile> read_dump_value(od::value v, const PathNode& p, std::string_view schema);
/// Any dump: the schema is found first, then the right reader runs.
Result<FailureDumpFile> parse_dump_file_padded(simdjson::padded_string_view text);
Result<FailureDumpReport> parse_report_padded(simdjson::padded_string_view text);
std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view text, const std::function<void(std::size_t)>& consumed, std::string* why);

}  // namespace scxsnap::detail
