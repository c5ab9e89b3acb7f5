// SPDX-License-Identifier: Apache-2.0
// The query of `GET /snapshot?...` (serve_server.hpp), parsed from the raw
// request target: percent-decoding, repeated keys, nothing unknown. Its own
// file so that a fuzz target drives it (fuzz/serve_query_fuzz.cpp).
#pragma once

#include "scxsnap/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scxsnap::cli {

struct SnapshotQuery {
  std::string format = "json";  ///< "json" or "native"
  std::vector<std::string> objs, maps;
  std::vector<std::uint32_t> map_ids;
};

inline constexpr std::size_t kMaxQueryValues = 64;  ///< obj, map and map_id values in all

/// The query part of `target` ("/snapshot?format=native&obj=scx_lavd").
/// InvalidArgument naming the parameter for an unknown key, a bad value, a
/// bad escape, or more than kMaxQueryValues values.
Result<SnapshotQuery> parse_snapshot_query(std::string_view target);

}  // namespace scxsnap::cli
