#include <gtest/gtest.h>
#include "scxsnap/scxsnap.hpp"
TEST(Smoke, Placeholder) {
  auto r = scxsnap::FailureDumpReport::placeholder("x");
  EXPECT_EQ(scxsnap::to_json(r), R"({"schema":"single","maps":[],"sdt_alloc_unavailable":"x","prog_runtime_stats_unavailable":"x","per_node_numa_unavailable":"x","task_enrichments_unavailable":"x","scx_walker_unavailable":"x","is_placeholder":true})");
}
