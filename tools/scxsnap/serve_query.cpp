// SPDX-License-Identifier: Apache-2.0
// /snapshot's query (serve_query.hpp).
#include "serve_query.hpp"

#include <charconv>
#include <fmt/format.h>

namespace scxsnap::cli {
namespace {

// application/x-www-form-urlencoded: '+' is a space, %XX a byte.
Result<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      unsigned v = 0;
      if (s.size() - i < 3) return Error(ErrorCode::InvalidArgument, "a '%' escape is cut short");
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3)
        return Error(ErrorCode::InvalidArgument, "a '%' escape is not two hex digits");
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<SnapshotQuery> parse_snapshot_query(std::string_view target) {
  SnapshotQuery q;
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  std::string_view rest = target.substr(mark + 1);
  std::size_t values = 0;
  bool format_seen = false;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key) return key.error();
    if (!value) return value.error().with_context(*key);
    if (*key == "format") {
      if (format_seen) return Error(ErrorCode::InvalidArgument, "format given twice");
      if (*value != "json" && *value != "native")
        return Error(ErrorCode::InvalidArgument, "format is json or native");
      format_seen = true;
      q.format = *value;
      continue;
    }
    if (++values > kMaxQueryValues)
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("more than {} obj, map and map_id values", kMaxQueryValues));
    if (value->empty()) return Error(ErrorCode::InvalidArgument, fmt::format("{} is empty", *key));
    if (*key == "obj") {
      q.objs.push_back(std::move(*value));
    } else if (*key == "map") {
      q.maps.push_back(std::move(*value));
    } else if (*key == "map_id") {
      std::uint32_t id = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), id);
      if (ec != std::errc() || p != value->data() + value->size() || id == 0)
        return Error(ErrorCode::InvalidArgument,
                     fmt::format("map_id '{}' is not a map id", *value));
      q.map_ids.push_back(id);
    } else {
      return Error(ErrorCode::InvalidArgument,
                   fmt::format("unknown parameter '{}' (format, obj, map, map_id)", *key));
    }
  }
  return q;
}

}  // namespace scxsnap::cli
