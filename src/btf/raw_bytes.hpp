// SPDX-License-Identifier: Apache-2.0
// Raw lookup buffers as capture and the renderer see them: per-CPU slots and
// ktstr's hex text of bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace scxsnap {

/// Split a per-CPU lookup buffer (stride roundup(value_size, 8)) into one
/// span per CPU; a short buffer yields only the complete slots.
std::vector<std::span<const std::uint8_t>> split_percpu(std::span<const std::uint8_t> buf,
                                                        std::size_t value_size, std::size_t ncpus);

/// "de ad be ef": lowercase hex pairs separated by spaces (ktstr's key_hex).
std::string hex_bytes(std::span<const std::uint8_t> bytes);
/// The same, appended to `out` (no temporary string).
void append_hex_bytes(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace scxsnap
