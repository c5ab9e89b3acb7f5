// SPDX-License-Identifier: Apache-2.0
// Rust's Debug formatting of the lists that appear in ktstr's error texts:
// `["a", "b"]` for strings and the pretty hex form `[\n    0x10,\n]` for u64s.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::detail {

/// A string as Rust's `{:?}` prints it: quoted, with \" \\ \n \r \t \0 and
/// \u{..} escapes for other control characters.
std::string rust_debug_str(std::string_view s);
std::string rust_debug_list(const std::vector<std::string>& v);
/// `{:#x?}` of a Vec<u64>.
std::string rust_debug_hex_list(const std::vector<std::uint64_t>& v);

}  // namespace scxsnap::detail
