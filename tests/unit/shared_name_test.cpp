// SPDX-License-Identifier: Apache-2.0
// SharedName: names shared by copies, freed by the last one, equal by text.
#include "scxsnap/rendered_value.hpp"
#include "scxsnap/report.hpp"

#include <gtest/gtest.h>

namespace scxsnap {
namespace {

TEST(SharedName, CopiesShareOneAllocationAndCompareByText) {
  SharedName a("nr_dispatched");
  SharedName b = a;
  EXPECT_TRUE(a.same_storage(b));
  SharedName c("nr_dispatched");  // made apart: another allocation, equal text
  EXPECT_FALSE(a.same_storage(c));
  EXPECT_EQ(a, c);
  EXPECT_EQ(a, std::string_view("nr_dispatched"));
  EXPECT_NE(a, SharedName("nr_enqueued"));
  SharedName moved = std::move(b);
  EXPECT_EQ(b.view(), "");  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(moved.view(), "nr_dispatched");
  EXPECT_EQ(SharedName("").view(), "");
  SharedName& self = c;
  c = self;  // self-assignment keeps the name
  EXPECT_EQ(c.view(), "nr_dispatched");
  c = a;  // drops its own allocation, shares a's
  EXPECT_TRUE(c.same_storage(a));
}

TEST(SharedName, NamesReadFromOneReportShareStorageAndOutliveIt) {
  const char* json =
      R"({"schema":"single","maps":[{"name":"o.bss","map_type":2,"value_size":16,"max_entries":1,)"
      R"("value":{"kind":"struct","type_name":"ctx","members":[)"
      R"({"name":"n","value":{"kind":"uint","bits":64,"value":1}},)"
      R"({"name":"inner","value":{"kind":"struct","type_name":"ctx","members":[)"
      R"({"name":"n","value":{"kind":"uint","bits":64,"value":2}}]}}]}}]})";
  RenderedValue kept;
  {
    auto report = parse_report(json);
    ASSERT_TRUE(report) << report.error().message();
    const RenderedValue& v = *report->maps.at(0).value;
    const auto& outer = v.members();
    const auto& inner = outer.at(1).value.members();
    // One copy of "n" for the whole report (the reader deduplicates).
    EXPECT_TRUE(outer.at(0).name.same_storage(inner.at(0).name));
    kept = v;
  }
  // The report is gone; the copy's names are still there.
  ASSERT_NE(kept.member("inner"), nullptr);
  EXPECT_EQ(kept.member("inner")->member("n")->as_u64(), 2u);
  EXPECT_EQ(kept.type_name(), "ctx");
}

}  // namespace
}  // namespace scxsnap
