// Snapshot spec §5.5 (active, KVA whitelist, ActiveFilterExcludedMaps) and
// §5.6 (vars, live_var, live_var_via, live_vars_via).
#include "expect_error.hpp"
#include "snapshot_fixtures.hpp"
#include "snapshot_matchers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using namespace fx;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

namespace {

RowPicker never_called_rows() {
  return [](auto) -> std::optional<std::size_t> {
    ADD_FAILURE() << "picker called";
    return std::nullopt;
  };
}
VarPicker never_called_var() {
  return [](auto) -> std::optional<std::size_t> {
    ADD_FAILURE() << "picker called";
    return std::nullopt;
  };
}

TEST(SnapshotActive, SingleObjectIsActive) {
  auto r = make_report_with_maps({make_global_map("scx_test.bss", {{"counter", uint_v(42)}})});
  auto act = Snapshot(r).active();
  ASSERT_TRUE(act.has_value());
  EXPECT_EQ(act->var("counter").as_u64().value(), 42u);
}

FailureDumpReport excluded_report(std::vector<std::uint64_t> whitelist) {
  auto r = make_report_with_maps({make_global_map("alpha.bss", {{"counter", uint_v(1)}}, 0x1000),
                                  make_global_map("alpha.data", {{"flag", uint_v(1)}}, 0x2000)});
  r.active_obj_name = "alpha";
  r.active_map_kvas = std::move(whitelist);
  return r;
}

TEST(SnapshotActive, WhitelistExcludingEveryMapNamesThem) {
  auto r = excluded_report({0x9999});
  auto act = Snapshot(r).active();
  ASSERT_TRUE(act.has_value());
  SnapshotField f = act->var("counter");
  auto e = err_as<errors::ActiveFilterExcludedMaps>(f);
  EXPECT_EQ(e.requested, "counter");
  EXPECT_EQ(e.active_obj, "alpha");
  EXPECT_THAT(e.whitelist_kvas, ElementsAre(0x9999u));
  EXPECT_THAT(e.excluded_maps,
              ElementsAre(ExcludedMap{"alpha.bss", 0x1000}, ExcludedMap{"alpha.data", 0x2000}));
  std::string msg = error_in(f).message();
  for (const char* s :
       {"counter", "alpha", "0x9999", "alpha.bss@0x1000", "alpha.data@0x2000",
        "Op::ReplaceScheduler / Op::AttachScheduler", "Snapshot::vars", "Snapshot::map"})
    EXPECT_THAT(msg, HasSubstr(s));
  EXPECT_EQ(
      msg,
      "snapshot lookup 'counter' returned no hits under the active filter (obj='alpha'): the "
      "walker's KVA whitelist [\n    0x9999,\n] excluded 2 captured map(s) sharing the obj "
      "prefix: alpha.bss@0x1000, alpha.data@0x2000 — this snapshot pre-dates your most recent "
      "Op::ReplaceScheduler / Op::AttachScheduler — wait for the next periodic boundary (or "
      "re-run the test) so the walker re-publishes the live scheduler's KVAs. Reach for "
      "Snapshot::vars('counter') to enumerate every copy across all obj prefixes, or "
      "Snapshot::map(\"<name>\") to address one of the excluded maps directly.");
}

TEST(SnapshotActive, ExcludedMapLookupByName) {
  auto r = make_report_with_maps({make_global_map("alpha.bss", {{"counter", uint_v(1)}}, 0x1000)});
  r.active_obj_name = "alpha";
  r.active_map_kvas = {0xDEAD};
  auto m = Snapshot(r).active()->map("alpha.bss");
  auto e = err_as<errors::ActiveFilterExcludedMaps>(m);
  EXPECT_EQ(e.requested, "alpha.bss");
  EXPECT_EQ(e.excluded_maps.size(), 1u);
}

TEST(SnapshotActive, LiveVarsViaUnderExclusionBracketsTheNames) {
  auto r = excluded_report({0x9999});
  auto res = Snapshot(r).active()->live_vars_via({"a", "b"}, never_called_rows());
  EXPECT_EQ(err_as<errors::ActiveFilterExcludedMaps>(res).requested, "[a, b]");
}

TEST(SnapshotActive, ExclusionCauses) {
  errors::ActiveFilterExcludedMaps zero{"c", "alpha", {{"alpha.bss", 0}}, {0x1}};
  EXPECT_THAT(SnapshotError(zero).message(), HasSubstr("no recorded KVAs"));
  errors::ActiveFilterExcludedMaps mixed{
      "c", "alpha", {{"alpha.bss", 0}, {"alpha.data", 0x5}}, {0x1}};
  EXPECT_THAT(SnapshotError(mixed).message(), HasSubstr("some captured maps lack KVAs"));
  EXPECT_THAT(SnapshotError(mixed).message(), HasSubstr("post-swap"));
}

TEST(SnapshotActive, LiveVarViaUnderExclusion) {
  auto r = excluded_report({0x9999});
  SnapshotField f = Snapshot(r).active()->live_var_via("counter", never_called_var());
  EXPECT_EQ(err_as<errors::ActiveFilterExcludedMaps>(f).requested, "counter");
}

TEST(SnapshotActive, LiveVarFromTheUnfilteredViewUnderExclusion) {
  auto r = excluded_report({0x9999});
  EXPECT_TRUE(error_in(Snapshot(r).live_var("counter")).is<errors::ActiveFilterExcludedMaps>());
}

TEST(SnapshotActive, AdmittedMapsGiveOrdinaryNotFound) {
  auto r = excluded_report({0x1000, 0x2000});
  EXPECT_TRUE(error_in(Snapshot(r).active()->var("does_not_exist")).is<errors::VarNotFound>());
  auto r2 = excluded_report({0x1000});
  EXPECT_TRUE(error_in(Snapshot(r2).active()->var("flag")).is<errors::VarNotFound>());
  EXPECT_EQ(Snapshot(r2).active()->var("counter").as_u64().value(), 1u);
}

TEST(SnapshotActive, ExcludedMapsRoundTripThroughJson) {
  auto r = excluded_report({0x9999});
  SnapshotField f = Snapshot(r).active()->var("counter");
  std::string json = error_in(f).to_json();
  auto back = SnapshotError::from_json(json);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, *f.error());
}

TEST(SnapshotActive, TwoObjectsWithoutWalkerHaveNoActiveScheduler) {
  auto r = make_report_with_maps({make_global_map("scx_a.bss", {{"x", uint_v(1)}}),
                                  make_global_map("scx_b.bss", {{"x", uint_v(2)}})});
  auto act = Snapshot(r).active();
  auto e = err_as<errors::NoActiveScheduler>(act);
  EXPECT_THAT(act.error().message(), HasSubstr("vars(name)"));
  EXPECT_THAT(
      e.reason,
      HasSubstr("snapshot has 2 BPF objects with global-section maps ([\"scx_a\", \"scx_b\"])"));
}

TEST(SnapshotActive, PlaceholderHasNoActiveView) {
  auto r = FailureDumpReport::placeholder("x");
  auto act = Snapshot(r).active();
  EXPECT_FALSE(err_as<errors::PlaceholderSnapshot>(act).tag.has_value());
}

TEST(SnapshotActive, MultiCopyWithoutWhitelistNamesTheCopies) {
  for (const char* section : {"bss", "data", "rodata"}) {
    std::string name = std::string("bpf_bpf.") + section;
    auto r = make_report_with_maps({make_global_map(name, {{"counter", uint_v(1)}}, 0x1000),
                                    make_global_map(name, {{"counter", uint_v(2)}}, 0x2000)});
    auto act = Snapshot(r).active();
    ASSERT_FALSE(act.has_value());
    std::string msg = act.error().message();
    EXPECT_THAT(msg, HasSubstr(name + " × 2"));
    EXPECT_THAT(msg, HasSubstr("pickers::max_by_counter_value"));
  }
}

FailureDumpReport two_copies(std::vector<std::uint64_t> whitelist) {
  auto r =
      make_report_with_maps({make_global_map("bpf_bpf.bss", {{"counter", uint_v(99)}}, 0x1000),
                             make_global_map("bpf_bpf.bss", {{"counter", uint_v(7)}}, 0x2000)});
  r.active_obj_name = "bpf_bpf";
  r.active_map_kvas = std::move(whitelist);
  return r;
}

TEST(SnapshotActive, WhitelistPicksTheLiveCopy) {
  auto r = two_copies({0x1000});
  EXPECT_EQ(Snapshot(r).active()->var("counter").as_u64().value(), 99u);
  // var() on the unfiltered view falls back to active() when ambiguous.
  EXPECT_EQ(Snapshot(r).var("counter").as_u64().value(), 99u);
}

TEST(SnapshotActive, WalkerNameWithoutWhitelistAndTwoCopiesFails) {
  auto r = two_copies({});
  auto act = Snapshot(r).active();
  ASSERT_FALSE(act.has_value());
  EXPECT_THAT(act.error().message(), HasSubstr("bpf_bpf.bss × 2"));
}

TEST(SnapshotActive, WalkerNameWithOneCopyAndNoWhitelist) {
  auto r =
      make_report_with_maps({make_global_map("bpf_bpf.bss", {{"counter", uint_v(55)}}, 0x1000)});
  r.active_obj_name = "bpf_bpf";
  auto act = Snapshot(r).active();
  ASSERT_TRUE(act.has_value());
  EXPECT_EQ(act->var("counter").as_u64().value(), 55u);
  EXPECT_EQ(act->map_count(), 1u);
}

TEST(SnapshotActive, FilterKeepsOnlyTheObjectsMaps) {
  auto r = make_report_with_maps({make_global_map("alpha.bss", {{"a", uint_v(1)}}),
                                  make_global_map("alpha.data", {{"b", uint_v(1)}}),
                                  make_global_map("beta.bss", {{"c", uint_v(1)}})});
  r.active_obj_name = "alpha";
  Snapshot s(r);
  EXPECT_EQ(s.map_count(), 3u);
  EXPECT_EQ(s.active()->map_count(), 2u);
}

TEST(SnapshotActive, ActiveViewHidesPlainMaps) {
  auto r = synthetic_report();
  auto act = Snapshot(r).active();
  ASSERT_TRUE(act.has_value());
  EXPECT_TRUE(act->map("scx_per_task").error().is<errors::MapNotFound>());
}

TEST(SnapshotActive, PlaceholderShortCircuitsVarAndMap) {
  auto r = FailureDumpReport::placeholder("rendezvous timed out");
  Snapshot s(r);
  EXPECT_TRUE(error_in(s.var("x")).is<errors::PlaceholderSnapshot>());
  EXPECT_TRUE(s.map("x").error().is<errors::PlaceholderSnapshot>());
  EXPECT_EQ(error_in(s.var("x")).message(),
            "snapshot is a placeholder — the freeze-rendezvous path could not capture real data; "
            "no maps to walk");
  EXPECT_TRUE(s.is_placeholder());
}

// ---- §5.6 ------------------------------------------------------------------------

TEST(SnapshotVars, EnumeratesEveryCopy) {
  auto r = make_report_with_maps({make_global_map("scx_a.bss", {{"shared", uint_v(11)}}),
                                  make_global_map("scx_b.bss", {{"shared", uint_v(22)}})});
  auto v = Snapshot(r).vars("shared");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].first, "scx_a.bss");
  EXPECT_EQ(v[0].second.as_u64().value(), 11u);
  EXPECT_EQ(v[1].first, "scx_b.bss");
  EXPECT_EQ(v[1].second.as_u64().value(), 22u);
  EXPECT_TRUE(error_in(Snapshot(r).live_var("shared")).is<errors::NoActiveScheduler>());
}

FailureDumpReport two_instance_report() {
  return make_report_with_maps({make_global_map("alpha.bss", {{"tick", uint_v(1)}}),
                                make_global_map("beta.bss", {{"tick", uint_v(2)}})});
}

TEST(SnapshotLiveVarVia, PickerChoosesTheCandidate) {
  auto r = two_instance_report();
  Snapshot s(r);
  auto pick_beta = [](std::span<const std::pair<std::string_view, SnapshotField>> c)
      -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < c.size(); ++i)
      if (c[i].first == "beta.bss") return i;
    return std::nullopt;
  };
  EXPECT_EQ(s.live_var_via("tick", pick_beta).as_u64().value(), 2u);
  auto none = s.live_var_via("tick", [](auto) { return std::optional<std::size_t>(); });
  EXPECT_THAT(err_as<errors::ProjectionFailed>(none).reason,
              HasSubstr("live_var_via picker for 'tick' returned None"));
  auto oob = s.live_var_via("tick", [](auto) { return std::optional<std::size_t>(99); });
  EXPECT_THAT(err_as<errors::ProjectionFailed>(oob).reason, HasSubstr("index 99 out of range"));
  EXPECT_THAT(err_as<errors::ProjectionFailed>(oob).reason, HasSubstr("count = 2"));
  auto absent = s.live_var_via("absent_member", never_called_var());
  auto e = err_as<errors::VarNotFound>(absent);
  EXPECT_EQ(e.requested, "absent_member");
  EXPECT_THAT(e.available, IsSupersetOf({"alpha.bss", "beta.bss"}));
}

FailureDumpReport two_instance_two_var_report() {
  return make_report_with_maps(
      {make_global_map("alpha.bss", {{"same", uint_v(10)}, {"cross", uint_v(5)}}),
       make_global_map("beta.bss", {{"same", uint_v(100)}, {"cross", uint_v(50)}})});
}

std::vector<std::uint64_t> u64s(const std::vector<SnapshotField>& fs) {
  std::vector<std::uint64_t> out;
  for (const auto& f : fs) out.push_back(f.as_u64().value_or(~0ull));
  return out;
}

TEST(SnapshotLiveVarsVia, CoPicksOneRow) {
  auto r = two_instance_two_var_report();
  Snapshot s(r);
  auto pick_beta = [](std::span<const std::pair<std::string_view, std::vector<SnapshotField>>> rows)
      -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].first == "beta.bss") return i;
    return std::nullopt;
  };
  auto res = s.live_vars_via({"same", "cross"}, pick_beta);
  ASSERT_TRUE(res.has_value());
  EXPECT_THAT(u64s(*res), ElementsAre(100u, 50u));
  auto none = s.live_vars_via({"same", "cross"}, [](auto) { return std::optional<std::size_t>(); });
  EXPECT_THAT(err_as<errors::ProjectionFailed>(none).reason,
              HasSubstr("live_vars_via picker for [same, cross] returned None"));
  auto oob =
      s.live_vars_via({"same", "cross"}, [](auto) { return std::optional<std::size_t>(99); });
  EXPECT_THAT(err_as<errors::ProjectionFailed>(oob).reason, HasSubstr("index 99 out of range"));
  EXPECT_THAT(err_as<errors::ProjectionFailed>(oob).reason, HasSubstr("count = 2"));
  auto absent = s.live_vars_via({"nope1", "nope2"}, never_called_rows());
  auto e = err_as<errors::VarNotFound>(absent);
  EXPECT_THAT(e.requested, HasSubstr("nope1"));
  EXPECT_THAT(e.requested, HasSubstr("nope2"));
  EXPECT_THAT(e.available, IsSupersetOf({"alpha.bss", "beta.bss"}));
  std::vector<std::string_view> empty;
  auto no_names = s.live_vars_via(std::span<const std::string_view>(empty), never_called_rows());
  EXPECT_THAT(err_as<errors::ProjectionFailed>(no_names).reason, HasSubstr("empty names slice"));
  EXPECT_THAT(u64s(s.live_vars_via({"same", "cross"}, pickers::max_by_sum_u64).value()),
              ElementsAre(100u, 50u));
}

TEST(SnapshotLiveVarsVia, PartialRowsAreDropped) {
  auto r = make_report_with_maps(
      {make_global_map("alpha.bss", {{"same", uint_v(10)}, {"cross", uint_v(5)}}),
       make_global_map("beta.bss", {{"same", uint_v(100)}})});
  std::vector<std::string> seen;
  auto res =
      Snapshot(r).live_vars_via({"same", "cross"}, [&](auto rows) -> std::optional<std::size_t> {
        for (const auto& row : rows) seen.emplace_back(row.first);
        return 0;
      });
  EXPECT_THAT(seen, ElementsAre("alpha.bss"));
  EXPECT_THAT(u64s(res.value()), ElementsAre(10u, 5u));
}

TEST(SnapshotLiveVarsVia, PlaceholderShortCircuits) {
  auto r = FailureDumpReport::placeholder("x");
  auto res = Snapshot(r).live_vars_via({"a"}, never_called_rows());
  EXPECT_FALSE(err_as<errors::PlaceholderSnapshot>(res).tag.has_value());
  EXPECT_FALSE(
      err_as<errors::PlaceholderSnapshot>(Snapshot(r).live_var_via("a", never_called_var()))
          .tag.has_value());
}

}  // namespace
