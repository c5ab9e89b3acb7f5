// `scxsnap report` pages opened in a real browser (headless Chromium, which
// `make test` installs): the script runs, the plots, values and assertion
// marks in the DOM are the data's, the name filter works, and a screenshot
// of each page is kept in the build tree (test-artifacts/).
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"
#include "snapshot_fixtures.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <regex>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

// The DOM after the page's script ran (chromium --dump-dom), `hash` appended
// to the file URL.
std::string browser_dom(const std::string& file, const std::string& hash = "") {
  TempDir profile;
  std::string out = profile.path() + "/dom.html";
  std::string cmd =
      "chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
      "--user-data-dir=" +
      profile.path() + "/p --dump-dom 'file://" + file + hash + "' > " + out + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return slurp(out);
}

void screenshot(const std::string& file, const std::string& name) {
  std::filesystem::create_directories(SCXSNAP_ARTIFACTS);
  TempDir profile;
  const std::string png = std::string(SCXSNAP_ARTIFACTS) + "/" + name;
  std::string cmd =
      "chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
      "--hide-scrollbars --user-data-dir=" +
      profile.path() + "/p --window-size=1300,1000 --screenshot=" + png + " 'file://" + file +
      "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_GT(std::filesystem::file_size(png), 10000u) << png;  // a page, not a blank
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// The card (from its opening tag to the next card) whose data-name is
// `name` (a row of a table may carry the same name).
std::string card(const std::string& dom, const std::string& name) {
  const std::string key = "data-name=\"" + name + "\"";
  for (auto at = dom.find(key); at != std::string::npos; at = dom.find(key, at + 1)) {
    const auto open = dom.rfind('<', at);
    if (dom.compare(open, 17, "<div class=\"card\"") != 0) continue;
    auto end = dom.find("class=\"card\"", at + 1);
    return dom.substr(open, (end == std::string::npos ? dom.size() : end) - open);
  }
  return {};
}

// 120 samples, 100 ms apart, three phases; sample 50 is a placeholder. The
// active object's .bss holds a counter, a gauge, a flag, a value that never
// changes, a CPU number that only rose (a gauge by its name) and a latency
// in nanoseconds; a per-CPU map counts per CPU.
std::string write_series(const std::string& path) {
  auto base = parse_report(read_test_file("full_report.json"));
  EXPECT_TRUE(base.has_value());
  std::string text;
  for (std::uint64_t i = 0; i < 120; ++i) {
    SampleRow row;
    row.tag = "periodic_" + std::to_string(i);
    row.elapsed_ms = i * 100;
    row.step_index = static_cast<std::uint16_t>(i / 40);
    if (i == 50) {
      row.report = FailureDumpReport::placeholder("freeze timed out");
    } else {
      row.report = *base;
      row.report.is_placeholder = false;  // the golden is marked as one
      std::vector<RenderedMember> m;
      m.emplace_back("nr_events", RenderedValue::make_uint(64, i * i * 7));
      m.emplace_back("gauge", RenderedValue::make_int(32, static_cast<std::int64_t>(i % 10) - 5));
      m.emplace_back("ok", RenderedValue::make_bool(i % 2 == 0));
      m.emplace_back("constant", RenderedValue::make_uint(64, 7));
      m.emplace_back("last_cpu", RenderedValue::make_uint(32, i / 10));
      m.emplace_back("lat_ns", RenderedValue::make_uint(64, (i % 5) * 250000));
      row.report.maps[0].value = RenderedValue::make_struct(".bss", std::move(m));
      auto& entries = row.report.maps[3].percpu_entries;
      auto& slots = entries[0].per_cpu;
      for (std::size_t c = 0; c < slots.size(); ++c)
        slots[c] = RenderedValue::make_uint(64, (c + 1) * i);
      entries.push_back(entries[0]);  // a second key: counted, not drawn
      entries[1].key = 1;
    }
    text += SampleSeries::to_jsonl_line(row) + "\n";
  }
  spit(path, text);
  return text;
}

TEST(HtmlReport, SeriesPageInABrowser) {
#ifdef SCXSNAP_SANITIZED
  GTEST_SKIP() << "the page in Chromium: run by the uninstrumented suite (the commands that "
                  "write pages run under ASan in the other HtmlReport tests)";
#endif
  TempDir dir;
  const std::string series = dir.path() + "/series.jsonl", page = dir.path() + "/series.html";
  write_series(series);
  auto r = run_cli({"report", series, "-o", page, "--expect", "nondecreasing(var:nr_events)",
                    "--expect", "each(var:gauge).at_most(3)"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = slurp(page);
  // Self-contained: nothing is fetched when it opens.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);

  std::string dom = browser_dom(page);
  EXPECT_THAT(dom, HasSubstr("data-ready=\"1\""));  // the script ran to its end
  // nr_events (as a rate), gauge, ok, last_cpu, lat_ns; `constant` never changed.
  EXPECT_EQ(count(dom, "<svg class=\"plot\""), 5u);

  // The page leads with what changed, ranked: the gauge moved across its
  // whole range in every sample, last_cpu in one sample of ten.
  const auto moved = dom.find("<table class=\"moved\">");
  ASSERT_NE(moved, std::string::npos);
  EXPECT_LT(moved, dom.find("<svg class=\"plot\""));
  EXPECT_THAT(dom, HasSubstr("5 of 6 global values changed during the series"));
  const auto row = [&](const std::string& name) {
    return dom.find("data-name=\"scx_demo.bss " + name + "\"><td>", moved);
  };
  EXPECT_LT(row("gauge"), row("nr_events"));
  EXPECT_LT(row("nr_events"), row("last_cpu"));
  EXPECT_EQ(row("constant"), std::string::npos);
  // The value that never changed: one line, no plot.
  EXPECT_THAT(dom, HasSubstr("1 value did not change: <span class=\"v\" "
                             "data-name=\"scx_demo.bss constant\">.bss constant = 7</span>"));
  EXPECT_TRUE(card(dom, "scx_demo.bss constant").empty());
  // A CPU number that only rose is drawn as its values, not as a rate.
  EXPECT_THAT(card(dom, "scx_demo.bss last_cpu"), HasSubstr(">.bss last_cpu<"));
  // Nanoseconds are labelled as times (0 to 1 ms in steps of 0.5 ms).
  const std::string lat = card(dom, "scx_demo.bss lat_ns");
  EXPECT_THAT(lat, HasSubstr(">0.5 ms</text>"));
  EXPECT_THAT(lat, HasSubstr(">1.0 ms</text>"));
  // Large plain numbers share a scale: the rate's axis reads 0, 5k, 10k, ...
  EXPECT_THAT(card(dom, "scx_demo.bss nr_events"), HasSubstr(">5k</text>"));

  // The counter is drawn as its rate: (119² - 118²) * 7 per 100 ms.
  std::string events = card(dom, "scx_demo.bss nr_events");
  ASSERT_FALSE(events.empty()) << dom.substr(0, 2000);
  EXPECT_THAT(events, HasSubstr("rate of .bss nr_events"));
  EXPECT_THAT(events, HasSubstr("data-last=\"16590\""));
  EXPECT_THAT(events, HasSubstr("last value 99127"));
  EXPECT_THAT(events, HasSubstr("PASS nondecreasing(var:nr_events)"));

  // The gauge: 120 samples, 119 with a value (the placeholder is a gap),
  // its range, the failed bound drawn, three phases marked.
  std::string gauge = card(dom, "scx_demo.bss gauge");
  ASSERT_FALSE(gauge.empty());
  EXPECT_THAT(gauge, HasSubstr("data-n=\"120\" data-present=\"119\" data-min=\"-5\" "
                               "data-max=\"4\" data-last=\"4\""));
  EXPECT_THAT(gauge, HasSubstr("badge fail"));
  EXPECT_THAT(gauge, HasSubstr("FAIL each(var:gauge).at_most(3)"));
  EXPECT_EQ(count(gauge, "class=\"bound\""), 1u);
  EXPECT_EQ(count(gauge, "class=\"phase\""), 3u);
  EXPECT_EQ(count(gauge, "class=\"gap\""), 1u);
  EXPECT_THAT(gauge, HasSubstr("Step[2]"));
  // Its y axis: ticks at 1, 2 or 5 times a power of ten, labelled.
  std::regex ticks(
      R"re(class="ytick"[^>]*>-5</text>.*class="ytick"[^>]*>0</text>.*class="ytick"[^>]*>5</text>)re");
  EXPECT_TRUE(std::regex_search(gauge, ticks)) << gauge.substr(0, 3000);
  // The rate's top tick carries its unit.
  EXPECT_THAT(events, HasSubstr("/s</text>"));

  // The assertions table gives each verdict.
  EXPECT_THAT(dom, HasSubstr("data-name=\"nondecreasing(var:nr_events)\" data-verdict=\"PASS\""));
  EXPECT_THAT(dom, HasSubstr("data-name=\"each(var:gauge).at_most(3)\" data-verdict=\"FAIL\""));

  // The per-CPU map as a heat map: 3 CPUs x 120 samples, painted.
  std::regex heat(
      R"re(<canvas class="heat"[^>]*data-rows="3" data-cols="120"[^>]*data-drawn="1")re");
  EXPECT_TRUE(std::regex_search(dom, heat));
  EXPECT_EQ(count(dom, "<canvas class=\"heat\""), 1u);
  // Its colour legend: what each sample added, from the least to the most.
  EXPECT_THAT(dom, HasSubstr("<div class=\"legend\"><span class=\"lo\">1</span><span "
                             "class=\"ramp\"></span><span class=\"hi\">6</span>"));
  EXPECT_THAT(dom, HasSubstr("1 more key(s) and 0 more value(s) per slot are not drawn"));

  // The filter (from the URL): only the gauge stays visible.
  std::string filtered = browser_dom(page, "#filter=gauge");
  EXPECT_THAT(card(filtered, "scx_demo.bss nr_events"), HasSubstr("hidden"));
  EXPECT_THAT(card(filtered, "scx_demo.bss gauge").substr(0, 80),
              ::testing::Not(HasSubstr("hidden")));
  // The gauge's plot, its assertion's row and its "what changed" row.
  EXPECT_THAT(filtered, HasSubstr(">3 of "));

  screenshot(page, "report-series.png");
}

TEST(HtmlReport, ReportPageInABrowser) {
#ifdef SCXSNAP_SANITIZED
  GTEST_SKIP() << "the page in Chromium: run by the uninstrumented suite (the commands that "
                  "write pages run under ASan in the other HtmlReport tests)";
#endif
  TempDir dir;
  const std::string page = dir.path() + "/report.html";
  auto r = run_cli({"report", std::string(SCXSNAP_TEST_DATA) + "/full_report.json", "-o", page,
                    "--max-entries", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dom = browser_dom(page);
  EXPECT_THAT(dom, HasSubstr("data-ready=\"1\""));
  EXPECT_EQ(count(dom, "<details class=\"map\""), 13u);  // every map of the report
  // What failed or was cut comes first.
  EXPECT_THAT(dom, HasSubstr("<b>broken_map</b>: value region unreadable"));
  EXPECT_THAT(dom, HasSubstr("arr: array declared 8, 3 elements kept"));
  EXPECT_THAT(dom, HasSubstr("task_enrichments_unavailable: task walker yielded zero tasks"));
  // A hash map shows its first entry and says how many there are.
  EXPECT_THAT(dom, HasSubstr("first 1 of 2 shown"));
  // The per-CPU map as bars across its 3 CPUs (one slot unmapped): 11 + 44.
  std::regex bars(R"re(<svg class="bars"[^>]*data-cpus="3" data-sum="55" data-max="44")re");
  EXPECT_TRUE(std::regex_search(dom, bars));
  screenshot(page, "report-single.png");
}

TEST(HtmlReport, DiffPageHighlightsTheChanges) {
#ifdef SCXSNAP_SANITIZED
  GTEST_SKIP() << "the page in Chromium: run by the uninstrumented suite (the commands that "
                  "write pages run under ASan in the other HtmlReport tests)";
#endif
  TempDir dir;
  const std::string series = dir.path() + "/s.jsonl", page = dir.path() + "/diff.html";
  write_series(series);
  auto r =
      run_cli({"diff", series, "--from", "periodic_10", "--to", "periodic_20", "--html", page});
  ASSERT_EQ(r.exit_code, 1) << r.err;  // they differ
  std::string dom = browser_dom(page);
  EXPECT_THAT(dom, HasSubstr("data-ready=\"1\""));
  // 10² * 7 = 700 -> 20² * 7 = 2800, struck through and highlighted.
  std::regex events(
      R"re(data-name="scx_demo.bss nr_events" data-kind="changed">.*?<td class="v old">700</td><td class="v new">2800</td><td class="v delta">\+2100</td>)re");
  EXPECT_TRUE(std::regex_search(dom, events)) << dom.substr(0, 3000);
  // As many rows as the text diff has changes.
  auto text = run_cli({"diff", series, "--from", "periodic_10", "--to", "periodic_20"});
  std::size_t changes = std::stoul(text.out.substr(text.out.rfind('\n', text.out.size() - 2) + 1));
  EXPECT_EQ(count(dom, "data-kind="), changes);
  EXPECT_THAT(dom, HasSubstr(std::to_string(changes) + " changes"));
  screenshot(page, "report-diff.png");
}

TEST(HtmlReport, BadInputIsAnErrorAndWritesNothing) {
  TempDir dir;
  const std::string page = dir.path() + "/out.html";
  spit(dir.path() + "/bad.json", "{\"schema\":\"single\",\"maps\":[");
  auto r = run_cli({"report", dir.path() + "/bad.json", "-o", page});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.json"));
  EXPECT_FALSE(std::filesystem::exists(page));
  // An assertion needs a series.
  r = run_cli({"report", std::string(SCXSNAP_TEST_DATA) + "/full_report.json", "-o", page,
               "--expect", "nondecreasing(var:x)"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--expect needs a series"));
  // A malformed assertion names the column.
  write_series(dir.path() + "/s.jsonl");
  r = run_cli({"report", dir.path() + "/s.jsonl", "-o", page, "--expect", "nondecreasing(var:"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(page));
}

}  // namespace

namespace {

// Two objects of one name (a scheduler loaded twice) stay apart, by BTF id,
// and a per-CPU map that never changes is one line, not a flat block.
TEST(HtmlReport, TwinObjectsStayApartAndFlatHeatMapsAreOneLine) {
  TempDir dir;
  const std::string series = dir.path() + "/twins.jsonl", page = dir.path() + "/twins.html";
  std::string text;
  for (std::uint64_t i = 0; i < 4; ++i) {
    SampleRow row;
    row.tag = "periodic_" + std::to_string(i);
    row.elapsed_ms = i * 100;
    row.report = fx::make_report_with_maps(
        {fx::make_global_map("twin.bss", {{"nr_runs", fx::uint_v(0)}}),
         fx::make_global_map("twin.bss", {{"nr_runs", fx::uint_v(10 * i + 5)}}),
         fx::percpu_map("still", {fx::uint_v(3), fx::uint_v(3)})});
    row.report.maps[0].btf_id = 11;
    row.report.maps[1].btf_id = 22;
    text += SampleSeries::to_jsonl_line(row) + "\n";
  }
  spit(series, text);
  auto r = run_cli({"report", series, "-o", page});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = slurp(page);
  EXPECT_THAT(html, HasSubstr("object twin (btf:22) (1 global value, 1 changed)"));
  EXPECT_THAT(html, HasSubstr("object twin (btf:11) (1 global value, 0 changed)"));
  // The moving twin's values, unmixed with the other's zeros.
  EXPECT_THAT(html, HasSubstr("<td class=\"n\">5 \u2192 35</td>"));
  EXPECT_EQ(count(html, "<canvas class=\"heat\""), 0u);
  EXPECT_THAT(html, HasSubstr("1 per-CPU value did not change"));
  EXPECT_THAT(html, HasSubstr("still = 3"));
}

}  // namespace
