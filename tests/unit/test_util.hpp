// Helpers shared by the unit tests.
#pragma once

#include "scxsnap/report.hpp"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

inline std::string read_test_file(const std::string& name) {
  std::ifstream in(std::string(SCXSNAP_TEST_DATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A report with two HASH maps ("big", "big2") of `n` entries each, about
/// 2.7 KB of JSON per entry (a quoted, braced type name; a 600-char hex);
/// with `floats`, each value also holds a float with an exponent (1e16 * i).
inline scxsnap::FailureDumpReport big_hash_report(std::uint32_t n, bool floats) {
  using namespace scxsnap;
  FailureDumpReport r;
  FailureDumpMap m;
  m.name = "big";
  m.map_type = 1;
  m.value_size = 16;
  m.max_entries = n;
  for (std::uint32_t i = 0; i < n; ++i) {
    FailureDumpEntry e;
    e.key = RenderedValue::make_uint(32, i);
    e.key_hex = "00 00 00 00";
    std::vector<RenderedMember> mem;
    for (int k = 0; k < 8; ++k)
      mem.emplace_back("field_" + std::to_string(k),
                       RenderedValue::make_uint(64, i * 8u + static_cast<unsigned>(k)));
    if (floats) mem.emplace_back("ratio", RenderedValue::make_float(64, 1e16 * (i + 1)));
    e.value = RenderedValue::make_struct("val \"quoted\" {brace}", std::move(mem));
    e.value_hex = std::string(600, 'a');
    m.entries.push_back(std::move(e));
  }
  r.maps.push_back(m);
  m.name = "big2";
  r.maps.push_back(std::move(m));
  return r;
}
