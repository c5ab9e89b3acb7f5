// --obj never answers for the wrong object (on reports, no kernel): a map
// belongs to an object by its BTF id, and an object matches a name by the
// maps that carry its longest name, so scx_flash's "scx_fla.kconfig" never
// makes it answer for scx_flatcg; names the kernel cut alike (scx_rusty,
// scx_rustland -> "scx_rust") are an error listing the btf:ID keys.
#include "cli_util.hpp"
#include "scxsnap/objects.hpp"
#include "snapshot_fixtures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

FailureDumpMap with_btf(FailureDumpMap m, std::uint32_t btf) {
  m.btf_id = btf;
  return m;
}

FailureDumpReport host() {
  return make_report_with_maps({
      with_btf(make_global_map("scx_flat.bss", {{"nr_cg", uint_v(1)}}), 10),
      with_btf(make_global_map("scx_fla.kconfig", {{"CONFIG_HZ", uint_v(250)}}), 10),
      with_btf(make_global_map("scx_flas.bss", {{"nr_flash", uint_v(2)}, {"shared", uint_v(20)}}),
               20),
      with_btf(make_global_map("scx_fla.kconfig", {{"CONFIG_HZ", uint_v(1000)}}), 20),
      with_btf(make_global_map("scx_rust.bss", {{"rusty_only", uint_v(3)}}), 30),
      with_btf(make_global_map("scx_rust.bss", {{"rustland_only", uint_v(4)}}), 31),
  });
}

TEST(ObjectPick, KconfigGoesWithItsOwnObjectByBtf) {
  FailureDumpReport r = host();
  auto flatcg = object_maps(r, "scx_flatcg");
  ASSERT_TRUE(flatcg.has_value()) << flatcg.error().message();
  EXPECT_THAT(*flatcg, ElementsAre(0u, 1u));
  auto flash = object_maps(r, "scx_flash");
  ASSERT_TRUE(flash.has_value()) << flash.error().message();
  EXPECT_THAT(*flash, ElementsAre(2u, 3u));
  auto one = find_object(r, "scx_flatcg");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->btf_id, 10u);
}

TEST(ObjectPick, NamesCutAlikeAreAnErrorListingBtfKeys) {
  FailureDumpReport r = host();
  for (const char* name : {"scx_rusty", "scx_rustland", "scx_rust"}) {
    auto m = object_maps(r, name);
    ASSERT_FALSE(m.has_value()) << name;
    EXPECT_EQ(m.error().code(), ErrorCode::InvalidArgument);
    EXPECT_THAT(m.error().message(), HasSubstr("names 2 objects"));
    EXPECT_THAT(m.error().message(), HasSubstr("scx_rust (btf:30), scx_rust (btf:31)"));
  }
  auto by_key = object_maps(r, "btf:31");
  ASSERT_TRUE(by_key.has_value());
  EXPECT_THAT(*by_key, ElementsAre(5u));
}

TEST(ObjectPick, TheCliNeverAnswersForAnotherObject) {
  TempDir d;
  const std::string file = d.path() + "/host.json";
  spit(file, to_json(host()));
  CliResult r = run_cli({"var", file, "CONFIG_HZ", "--obj", "scx_flatcg"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "250\n");
  r = run_cli({"var", file, "CONFIG_HZ", "--obj", "scx_flash"});
  EXPECT_EQ(r.out, "1000\n");
  // A global only scx_flash has is not scx_flatcg's.
  r = run_cli({"var", file, "nr_flash", "--obj", "scx_flatcg"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  r = run_cli({"var", file, "rusty_only", "--obj", "scx_rusty"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("btf:30"));
  r = run_cli({"var", file, "rusty_only", "--obj", "btf:30"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3\n");
  r = run_cli({"map", file, "scx_rust.bss", "--obj", "scx_rustland"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

}  // namespace

namespace {

// 23 schedulers each with a ".data.uei_dump": `var uei_dump` names the
// sections once with their count, lists a dozen flags and how many more, and
// gives no C++ advice on a command line.
TEST(ObjectPick, AmbiguityOnTheCliIsShortAndHasNoCppAdvice) {
  std::vector<FailureDumpMap> maps;
  for (std::uint32_t k = 0; k < 23; ++k) {
    FailureDumpMap m =
        with_btf(make_global_map(".data.uei_dump", {{"uei_dump", uint_v(k)}}), 100 + k);
    m.map_id = 500 + k;
    maps.push_back(std::move(m));
  }
  TempDir d;
  const std::string file = d.path() + "/host.json";
  spit(file, to_json(make_report_with_maps(std::move(maps))));
  CliResult r = run_cli({"var", file, "uei_dump"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("global 'uei_dump' is in 23 sections (.data.uei_dump × 23)"));
  EXPECT_THAT(r.err, HasSubstr(".data.uei_dump (--map-id 500, --obj btf:100)"));
  EXPECT_THAT(r.err, HasSubstr("... and 11 more (scxsnap show lists them)"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("Snapshot::")));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("live_var_via")));
  r = run_cli({"var", file, "uei_dump", "--obj", "btf:107"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "7\n");
}

}  // namespace
