// Helpers shared by the unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

inline std::string read_test_file(const std::string& name) {
  std::ifstream in(std::string(SCXSNAP_TEST_DATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
