// SPDX-License-Identifier: Apache-2.0
#include "human.hpp"

#include <fmt/format.h>

namespace scxsnap::cli {

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", v, kUnits[u]);
}

std::string human_us(std::uint64_t us) {
  if (us < 1000) return fmt::format("{} us", us);
  if (us < 1000000) return fmt::format("{:.1f} ms", static_cast<double>(us) / 1e3);
  return fmt::format("{:.2f} s", static_cast<double>(us) / 1e6);
}

std::string capture_result_line(const CaptureSummary& s, const std::string& out) {
  std::string line =
      fmt::format("scxsnap: captured {} map{}, {} entr{}, {} in {} -> {}", s.maps,
                  s.maps == 1 ? "" : "s", s.entries, s.entries == 1 ? "y" : "ies",
                  human_bytes(s.bytes), human_us(s.duration_us), out == "-" ? "stdout" : out);
  if (s.maps_with_errors)
    line += fmt::format("; {} map{} with errors", s.maps_with_errors,
                        s.maps_with_errors == 1 ? "" : "s");
  if (s.values_truncated)
    line += fmt::format("; {} value{} cut to the render budget (--max-value-bytes)",
                        s.values_truncated, s.values_truncated == 1 ? "" : "s");
  if (s.stopped_by)
    line += fmt::format("; stopped by {} ({} map{} skipped): the report is marked truncated",
                        *s.stopped_by, s.maps_truncated, s.maps_truncated == 1 ? "" : "s");
  return line;
}

}  // namespace scxsnap::cli
