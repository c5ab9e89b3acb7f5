// The streaming pretty-printer a capture uses for --pretty must give exactly
// the writer's pretty output (serde's layout), however the input is split.
#include "report/json/json_reindent.hpp"

#include "scxsnap/scxsnap.hpp"

#include <gtest/gtest.h>

using namespace scxsnap;

namespace {

std::string reindent(std::string_view compact, std::size_t chunk) {
  detail::JsonReindenter r;
  std::string out;
  for (std::size_t i = 0; i < compact.size(); i += chunk) r.feed(compact.substr(i, chunk), out);
  return out;
}

class Reindent : public ::testing::TestWithParam<const char*> {};

TEST_P(Reindent, MatchesThePrettyWriterForAnySplit) {
  auto rep = load_report(std::string(SCXSNAP_TEST_DATA) + "/" + GetParam());
  ASSERT_TRUE(rep.has_value()) << rep.error().message();
  std::string compact = to_json(*rep), pretty = to_json(*rep, JsonStyle::Pretty);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, compact.size()})
    EXPECT_EQ(reindent(compact, chunk), pretty) << "chunk " << chunk;
}

INSTANTIATE_TEST_SUITE_P(Golden, Reindent,
                         ::testing::Values("full_report.json", "minimal_report.json",
                                           "placeholder_report.json", "sample_report.json"));

TEST(ReindentEdges, EscapedQuotesAndEmptyContainers) {
  EXPECT_EQ(
      reindent(R"({"a":"x\"{[,:","b":[],"c":{},"d":[1,{}]})", 3),
      "{\n  \"a\": \"x\\\"{[,:\",\n  \"b\": [],\n  \"c\": {},\n  \"d\": [\n    1,\n    {}\n  ]\n}");
}

}  // namespace
