// convert_dump_file streams a single report (read a piece, write it, drop
// it): the output is exactly what the whole model writes, compact and
// pretty, whatever the input's key order, float era or size; errors leave no
// output; memory stays at a few pieces.
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

namespace scxsnap::detail {
extern std::size_t g_piecewise_value_threshold;
extern unsigned g_convert_lanes;  // entry lists converted by this many lanes (0: by the CPUs)
}  // namespace scxsnap::detail

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

// Equality of large texts, reported as the first difference.
::testing::AssertionResult same_text(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  auto around = [&](const std::string& s) {
    std::size_t b = i < 60 ? 0 : i - 60;
    return s.substr(b, 120);
  };
  return ::testing::AssertionFailure()
         << "sizes " << got.size() << " and " << want.size() << ", first difference at byte " << i
         << ":\n got: " << around(got) << "\nwant: " << around(want);
}

// What the whole-model path writes for `text` (the reference).
std::string model_json(const std::string& text, JsonStyle style) {
  auto dump = parse_dump_file(text);
  EXPECT_TRUE(dump.has_value()) << (dump ? "" : dump.error().message());
  if (!dump) return {};
  std::string out = to_json(*dump, style);
  if (!text.empty() && text.back() == '\n') out += '\n';
  return out;
}

std::string converted(const TempDir& dir, const std::string& text, JsonStyle style) {
  spit(dir.path() + "/in.json", text);
  auto r = convert_dump_file(dir.path() + "/in.json", dir.path() + "/out.json", style);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return slurp(dir.path() + "/out.json");
}

// Every shipped dump, compact and pretty, with values streamed whole and
// (threshold 0) member by member.
TEST(ConvertStreaming, GoldensMatchTheModelInBothStyles) {
  TempDir dir;
  const std::size_t saved = detail::g_piecewise_value_threshold;
  for (std::size_t threshold : {saved, std::size_t{0}}) {
    detail::g_piecewise_value_threshold = threshold;
    for (const char* f : {"full_report.json", "sample_report.json", "minimal_report.json",
                          "placeholder_report.json", "dual_report.json", "degraded_report.json"}) {
      std::string text = read_test_file(f);
      EXPECT_TRUE(same_text(converted(dir, text, JsonStyle::Compact), text))
          << f << " " << threshold;
      EXPECT_EQ(converted(dir, text, JsonStyle::Pretty), model_json(text, JsonStyle::Pretty))
          << f << " " << threshold;
      // A pretty input converts back to itself too, final newline mirrored.
      std::string pretty = model_json(text, JsonStyle::Pretty) + "\n";
      EXPECT_TRUE(same_text(converted(dir, pretty, JsonStyle::Pretty), pretty))
          << f << " " << threshold;
      EXPECT_TRUE(same_text(converted(dir, pretty, JsonStyle::Compact), text + "\n"))
          << f << " " << threshold;
    }
  }
  detail::g_piecewise_value_threshold = saved;
}

FailureDumpReport many_entries(std::uint32_t n) {
  FailureDumpReport r = big_hash_report(n, true);
  r.active_obj_name = "after_the_maps";
  return r;
}

TEST(ConvertStreaming, ManyChunksOfEntriesInBothFloatEras) {
  TempDir dir;
  FailureDumpReport r = many_entries(5000);
  for (FloatStyle floats : {FloatStyle::Zmij, FloatStyle::Ryu}) {
    r.float_style = floats;
    std::string compact = to_json(r), pretty = to_json(r, JsonStyle::Pretty);
    ASSERT_GT(compact.size(), std::size_t{5} << 20);  // several 2 MB chunks and 1 MB runs
    // The float text is the era's (1e+16 or 1e16) and comes back as read.
    EXPECT_NE(compact.find(floats == FloatStyle::Zmij ? "1e+16" : "1e16"), std::string::npos);
    EXPECT_TRUE(same_text(converted(dir, compact, JsonStyle::Compact), compact));
    EXPECT_TRUE(same_text(converted(dir, compact, JsonStyle::Pretty), pretty));
    EXPECT_TRUE(same_text(converted(dir, pretty, JsonStyle::Compact), compact));
  }
}

// Entry lists are converted by side-by-side lanes, a batch of 2 MB runs at a
// time: the output is the serial pass's, byte for byte, also where the
// document's float era changes inside a batch (a run written before an
// earlier run of its batch showed "1e16" is written again).
TEST(ConvertStreaming, LanesWriteWhatOneLaneWritesAcrossAnEraChange) {
  TempDir dir;
  // Every entry has a float of 1e16 or more: "2e+16" in the newer era.
  const std::string zmij = to_json(many_entries(4000));
  ASSERT_GT(zmij.size(), std::size_t{4} << 20);  // 1 MB runs: several batches of 3
  std::vector<std::size_t> at;                   // where each float's exponent is
  for (std::size_t i = zmij.find("e+1"); i != std::string::npos; i = zmij.find("e+1", i + 1))
    at.push_back(i);
  ASSERT_GT(at.size(), 5000u);
  for (std::size_t k : {std::size_t{0}, at.size() / 3, at.size() - 1}) {
    std::string text = zmij;
    text.erase(at[k] + 1, 1);  // "Ne+1x" -> "Ne1x": the older era, first seen here
    std::string want;
    for (unsigned lanes : {1u, 3u}) {
      detail::g_convert_lanes = lanes;
      std::string got = converted(dir, text, JsonStyle::Compact);
      if (lanes == 1) {
        want = got;
        // The newer text before the marker, the older from it on.
        EXPECT_EQ(want.find("e+1", at[k]), std::string::npos) << k;
        EXPECT_EQ(want.find("e+1") == std::string::npos, k == 0) << k;
        continue;
      }
      EXPECT_TRUE(same_text(got, want)) << "marker " << k << ", " << lanes << " lanes";
    }
  }
  detail::g_convert_lanes = 0;
}

// serde reads members in any order and writes them in declaration order:
// so does convert, also for the entry lists it streams.
TEST(ConvertStreaming, WritesFieldsInDeclarationOrder) {
  TempDir dir;
  std::string text =
      R"({"active_obj_name":"x","maps":[{"error":"e","entries":[{"value_hex":"01","key_hex":"02"}],)"
      R"("max_entries":1,"value_size":1,"map_type":1,"name":"m","map_id":7}],"schema":"single"})";
  std::string want =
      R"({"schema":"single","maps":[{"name":"m","map_id":7,"map_type":1,"value_size":1,)"
      R"("max_entries":1,"entries":[{"key_hex":"02","value_hex":"01"}],"error":"e"}],)"
      R"("active_obj_name":"x"})";
  EXPECT_TRUE(same_text(converted(dir, text, JsonStyle::Compact), want));
  EXPECT_EQ(model_json(text, JsonStyle::Compact), want);
}

TEST(ConvertStreaming, BadInputLeavesNoOutputAndSaysWhere) {
  TempDir dir;
  const std::string out = dir.path() + "/out.json";
  std::string text = to_json(many_entries(3000));
  // Cut in the middle of an entry list: the whole-document reader names it.
  spit(dir.path() + "/cut.json", text.substr(0, text.size() / 2));
  auto r = convert_dump_file(dir.path() + "/cut.json", out);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("cut.json"));
  EXPECT_THAT(r.error().message(), HasSubstr("truncated"));
  EXPECT_FALSE(std::filesystem::exists(out));
  // A wrong type deep inside a streamed chunk: the JSON path is given.
  std::string bad = text;
  bad.replace(bad.rfind("\"bits\":64"), 9, "\"bits\":\"x\"");
  spit(dir.path() + "/bad.json", bad);
  r = convert_dump_file(dir.path() + "/bad.json", out);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("maps[1].entries[2999].value"));
  EXPECT_FALSE(std::filesystem::exists(out));
  // A missing input.
  r = convert_dump_file(dir.path() + "/none.json", out);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_FALSE(std::filesystem::exists(out));
}

// The CLI on a file several times larger than its memory: peak RSS stays at
// a few pieces, and the output is the input.
TEST(ConvertStreaming, LargeFileInBoundedMemory) {
#ifdef SCXSNAP_SANITIZED
  // ASan keeps 256 MiB of freed blocks in quarantine and pads every block:
  // there the bound only tells streaming (under 1 GiB) from the whole model
  // (several GiB for this file), on a smaller file (a Debug build is slow).
  constexpr std::uint32_t kEntries = 20000;
  constexpr std::size_t kMinSize = std::size_t{50} << 20;
  constexpr long kBoundKiB = 1024 * 1024;
#else
  constexpr std::uint32_t kEntries = 60000;
  constexpr std::size_t kMinSize = std::size_t{150} << 20;
  // A few pieces, and a few more a lane (entry lists are converted on up to
  // 4 cores): the file is over twice as large as the bound on 4 CPUs.
  const long kBoundKiB =
      (40 + 8 * long{std::clamp(std::thread::hardware_concurrency(), 1u, 4u)}) * 1024;
#endif
  TempDir dir;
  std::string text = to_json(many_entries(kEntries));
  ASSERT_GT(text.size(), kMinSize);
  const std::string in = dir.path() + "/in.json", out = dir.path() + "/out.json";
  spit(in, text);
  const std::size_t size = text.size();
  std::string().swap(text);
  auto r = run_cli({"convert", in, out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::filesystem::file_size(out), size);
  EXPECT_EQ(slurp(out), slurp(in));
  EXPECT_LE(r.max_rss_kib, kBoundKiB) << "file " << size / 1024 << " KiB";
}

}  // namespace
