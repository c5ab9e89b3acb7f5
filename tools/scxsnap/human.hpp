// SPDX-License-Identifier: Apache-2.0
// Numbers for people: sizes and durations in human units, the one-line
// result of a capture.
#pragma once

#include "scxsnap/capture.hpp"

#include <cstdint>
#include <string>

namespace scxsnap::cli {

/// 1536 -> "1.5 KiB", 3 -> "3 B".
std::string human_bytes(std::uint64_t bytes);
/// 1500 -> "1.5 ms", 2500000 -> "2.50 s".
std::string human_us(std::uint64_t us);
/// "scxsnap: captured 18 maps, 10,240 entries, 3.1 MiB in 0.52 s -> out.json"
/// plus what was cut or stopped.
std::string capture_result_line(const CaptureSummary& s, const std::string& out);

}  // namespace scxsnap::cli
