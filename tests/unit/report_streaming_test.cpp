// The piecewise reader used for large files gives exactly the model of the
// whole-document reader, and declines (so the caller falls back and reports
// the precise error) on anything malformed.
#include "scxsnap/scxsnap.hpp"
#include "test_util.hpp"

#include <fcntl.h>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <unistd.h>

namespace scxsnap::detail {
std::optional<FailureDumpReport> parse_report_streaming(
    std::string_view text, const std::function<void(std::size_t)>& consumed, std::string* why);
extern std::size_t g_piecewise_value_threshold;
}  // namespace scxsnap::detail

using namespace scxsnap;

namespace {

std::optional<FailureDumpReport> streamed(std::string_view text, std::size_t* last = nullptr) {
  return detail::parse_report_streaming(
      text,
      [&](std::size_t at) {
        if (last) *last = at;
      },
      nullptr);
}

TEST(ReportStreaming, GoldensMatchTheWholeDocumentReader) {
  for (const char* f : {"full_report.json", "sample_report.json", "minimal_report.json",
                        "placeholder_report.json"}) {
    std::string text = read_test_file(f);
    auto whole = parse_report(text);
    ASSERT_TRUE(whole.has_value()) << f;
    auto piecewise = streamed(text);
    ASSERT_TRUE(piecewise.has_value()) << f;
    EXPECT_TRUE(*piecewise == *whole) << f;
    EXPECT_TRUE(to_json(*piecewise) == text) << f;
  }
}

TEST(ReportStreaming, ManyChunksOfEntries) {
  FailureDumpReport r = big_hash_report(8000, false);
  std::string text = to_json(r, JsonStyle::Pretty);
  ASSERT_GT(text.size(), std::size_t{8} << 20);  // several 4 MB chunks
  std::size_t last = 0;
  auto piecewise = streamed(text, &last);
  ASSERT_TRUE(piecewise.has_value());
  EXPECT_TRUE(*piecewise == r);
  EXPECT_GT(last, text.size() / 2);  // consumed input was reported for release
}

TEST(ReportStreaming, LargeMalformedFileStillGetsThePreciseError) {
  FailureDumpReport r;
  FailureDumpMap m;
  m.name = "big";
  m.map_type = 1;
  for (std::uint32_t i = 0; i < 40000; ++i) {
    FailureDumpEntry e;
    e.key = RenderedValue::make_uint(32, i);
    e.key_hex = "00";
    e.value_hex = std::string(900, 'b');
    m.entries.push_back(std::move(e));
  }
  r.maps.push_back(std::move(m));
  std::string text = to_json(r);
  ASSERT_GT(text.size(), std::size_t{32} << 20);  // above the streaming threshold
  const std::string from = "\"key\":{\"kind\":\"uint\"";
  text.replace(text.rfind(from), from.size(), "\"key\":{\"kind\":\"uinx\"");
  char tmpl[] = "/tmp/scxsnap-big-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  auto loaded = load_report(tmpl);
  ::unlink(tmpl);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message().find("maps[0].entries[39999].key.kind: unknown kind 'uinx'"),
            std::string::npos)
      << loaded.error().message();
}

TEST(ReportStreaming, DeclinesMalformedInput) {
  std::string text = read_test_file("full_report.json");
  EXPECT_FALSE(streamed(text.substr(0, text.size() / 2)).has_value());
  std::string bad = text;
  bad.replace(bad.find("\"kind\":\"cpu_list\""), 17, "\"kind\":\"cpu_lust\"");
  EXPECT_FALSE(streamed(bad).has_value());
  EXPECT_FALSE(streamed("[1,2]").has_value());
  EXPECT_FALSE(streamed(R"({"schema":"single"})").has_value());
}

}  // namespace

namespace {

// A sparse file: as large as asked, costing no disk and no time.
std::string sparse_file(const std::string& dir, std::uint64_t size) {
  std::string p = dir + "/big.json";
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  ::close(fd);
  return p;
}

TEST(ReportSize, TooLargeForMemorySaysSoAtOnce) {
  char tmpl[] = "/tmp/scxsnap-size-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string p = sparse_file(dir, std::uint64_t{1} << 42);  // 4 TiB
  auto r = load_report(p);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("4096.0 GiB"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("is available"), std::string::npos);
  ::unlink(p.c_str());
  ::rmdir(dir.c_str());
}

TEST(ReportSize, LargeMalformedFileIsNotParsedWhole) {
  char tmpl[] = "/tmp/scxsnap-size-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string p = sparse_file(dir, std::uint64_t{3} << 29);  // 1.5 GiB of zero bytes
  auto r = load_report(p);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("too large to parse whole"), std::string::npos)
      << r.error().message();
  ::unlink(p.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

namespace {

// With the threshold at 0 every map's value goes through the piecewise value
// reader (nested values, members and elements one by one): same model.
TEST(ReportStreaming, LargeValuesReadPiecewiseGiveTheSameModel) {
  const std::size_t saved = detail::g_piecewise_value_threshold;
  detail::g_piecewise_value_threshold = 0;
  for (const char* f : {"full_report.json", "sample_report.json", "minimal_report.json"}) {
    std::string text = read_test_file(f);
    auto whole = parse_report(text);
    ASSERT_TRUE(whole.has_value()) << f;
    std::string why;
    auto pieces = detail::parse_report_streaming(
        text, [](std::size_t) {}, &why);
    ASSERT_TRUE(pieces.has_value()) << f << ": " << why;
    EXPECT_TRUE(*pieces == *whole) << f;
    EXPECT_EQ(to_json(*pieces), to_json(*whole)) << f;
  }
  // A malformed member inside a big value is an error naming where it is.
  std::string bad = R"({"schema":"single","maps":[{"name":"m","map_type":2,"value_size":4,)"
                    R"("max_entries":1,"value":{"kind":"struct","type_name":null,"members":)"
                    R"([{"name":"a","value":{"kind":"bool","value":true},"extra":1}]}}]})";
  std::string why;
  EXPECT_FALSE(detail::parse_report_streaming(
                   bad, [](std::size_t) {}, &why)
                   .has_value());
  EXPECT_NE(why.find("struct member at byte offset"), std::string::npos) << why;
  detail::g_piecewise_value_threshold = saved;
}

}  // namespace
