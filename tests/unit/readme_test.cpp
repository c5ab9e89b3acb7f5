// The README shows the example that the build compiles and runs.
#include "cli_util.hpp"

#include <gtest/gtest.h>

TEST(Readme, ShowsTheCompiledExampleVerbatim) {
  std::string readme = slurp(std::string(SCXSNAP_TEST_DATA) + "/../../README.md");
  std::string example =
      slurp(std::string(SCXSNAP_TEST_DATA) + "/../../examples/readme_example.cpp");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(readme.find(example), std::string::npos);
  EXPECT_NE(readme.find("make run"), std::string::npos);
  EXPECT_NE(readme.find("make test"), std::string::npos);
}
