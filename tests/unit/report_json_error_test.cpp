// Bad report input: each class of malformation gives an error naming the
// JSON path (or byte offset) and what was expected — never a crash.
#include "scxsnap/scxsnap.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

std::string error_of(std::string_view json) {
  auto r = parse_report(json);
  if (r.has_value()) return "<parsed>";
  EXPECT_EQ(r.error().code(), ErrorCode::BadInput);
  return r.error().message();
}

// A report whose fourth map has eleven entries; the last is replaced by `bad`.
std::string with_bad_entry(const std::string& bad) {
  std::string maps;
  for (int i = 0; i < 3; ++i)
    maps +=
        R"({"name":"m)" + std::to_string(i) + R"(","map_type":2,"value_size":4,"max_entries":1},)";
  std::string entries;
  for (int i = 0; i < 10; ++i) entries += R"({"key_hex":"00","value_hex":"00"},)";
  return R"({"schema":"single","maps":[)" + maps +
         R"({"name":"h","map_type":1,"value_size":4,"max_entries":64,"entries":[)" + entries + bad +
         "]}]}";
}

TEST(ReportJsonError, UnknownKindNamesThePathAndTheChoices) {
  std::string msg =
      error_of(with_bad_entry(R"({"key_hex":"00","value_hex":"00","value":{"kind":"quux"}})"));
  EXPECT_THAT(msg, HasSubstr("maps[3].entries[10].value.kind"));
  EXPECT_THAT(msg, HasSubstr("unknown kind 'quux'"));
  EXPECT_THAT(msg, HasSubstr("cpu_list"));
}

TEST(ReportJsonError, WrongTypeSaysExpectedAndFound) {
  std::string msg = error_of(
      R"({"schema":"single","maps":[{"name":"a","map_type":"two","value_size":4,"max_entries":1}]})");
  EXPECT_THAT(msg, HasSubstr("maps[0].map_type"));
  EXPECT_THAT(msg, HasSubstr("expected an unsigned 32-bit integer, found a string"));
}

TEST(ReportJsonError, NegativeIntegerForUnsignedField) {
  std::string msg = error_of(
      R"({"schema":"single","maps":[{"name":"a","map_type":2,"value_size":-4,"max_entries":1}]})");
  EXPECT_THAT(msg, HasSubstr("maps[0].value_size"));
  EXPECT_THAT(msg, HasSubstr("negative"));
}

TEST(ReportJsonError, OverflowingIntegers) {
  EXPECT_THAT(
      error_of(
          R"({"schema":"single","maps":[{"name":"a","map_type":4294967296,"value_size":4,"max_entries":1}]})"),
      HasSubstr("maps[0].map_type: expected an unsigned 32-bit integer, found 4294967296 (out of "
                "range)"));
  EXPECT_THAT(error_of(R"({"schema":"single","maps":[],"active_map_kvas":[18446744073709551616]})"),
              HasSubstr("active_map_kvas[0]"));
  EXPECT_THAT(
      error_of(with_bad_entry(
          R"({"key_hex":"00","value_hex":"00","key":{"kind":"int","bits":64,"value":9223372036854775808}})")),
      HasSubstr("maps[3].entries[10].key.value"));
  EXPECT_THAT(error_of(with_bad_entry(
                  R"({"key_hex":"00","value_hex":"00","key":{"kind":"char","value":256}})")),
              HasSubstr("expected a byte (0-255), found 256"));
}

TEST(ReportJsonError, MissingRequiredKey) {
  EXPECT_THAT(error_of(R"({"schema":"single","maps":[{"name":"a","map_type":2,"max_entries":1}]})"),
              HasSubstr("at maps[0]: missing field `value_size`"));
  EXPECT_THAT(error_of(R"({"maps":[]})"), HasSubstr("missing field `schema`"));
  EXPECT_THAT(error_of(with_bad_entry(R"({"key_hex":"00"})")),
              HasSubstr("at maps[3].entries[10]: missing field `value_hex`"));
  EXPECT_THAT(error_of(with_bad_entry(
                  R"({"key_hex":"00","value_hex":"00","value":{"kind":"uint","value":1}})")),
              HasSubstr("at maps[3].entries[10].value: missing field `bits`"));
  EXPECT_THAT(error_of(with_bad_entry(R"({"key_hex":"00","value_hex":"00","value":{"bits":1}})")),
              HasSubstr("at maps[3].entries[10].value: missing field `kind`"));
}

TEST(ReportJsonError, TruncatedInputAtEveryLength) {
  std::string full = read_test_file("full_report.json");
  ASSERT_FALSE(full.empty());
  // Every proper prefix must fail cleanly (sampled to keep the test quick).
  for (std::size_t n = 0; n < full.size(); n += (n < 200 ? 1 : 97)) {
    auto r = parse_report(std::string_view(full).substr(0, n));
    ASSERT_FALSE(r.has_value()) << "prefix of " << n << " bytes parsed";
    EXPECT_FALSE(r.error().message().empty());
  }
}

TEST(ReportJsonError, TruncatedMessageIsClear) {
  std::string msg = error_of(R"({"schema":"single","maps":[{"name":"a","map_type":2)");
  EXPECT_THAT(msg, ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("unterminated")));
}

TEST(ReportJsonError, NestingDeeperThanTheLimit) {
  std::string v;
  for (int i = 0; i < 200; ++i) v += R"({"kind":"ptr","value":1,"deref":)";
  v += R"({"kind":"bool","value":true})";
  v += std::string(200, '}');
  std::string msg = error_of(
      R"({"schema":"single","maps":[{"name":"a","map_type":2,"value_size":4,"max_entries":1,"value":)" +
      v + "}]}");
  EXPECT_THAT(msg, HasSubstr("nested deeper than 128"));
  EXPECT_THAT(msg, HasSubstr("maps[0].value.deref.deref"));
  // Far deeper than simdjson's own limit: still an error, not a stack overflow.
  std::string deep(100000, '[');
  EXPECT_NE(error_of(R"({"schema":"single","maps":)" + deep), "<parsed>");
}

TEST(ReportJsonError, InvalidUtf8GivesByteOffset) {
  std::string doc = R"({"schema":"single","maps":[{"name":"a)";
  std::size_t bad_at = doc.size();
  doc += "\xff\xfe";
  doc += R"(","map_type":2,"value_size":4,"max_entries":1}]})";
  std::string msg = error_of(doc);
  EXPECT_THAT(msg, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(msg, HasSubstr("byte offset " + std::to_string(bad_at)));
}

TEST(ReportJsonError, DuplicateKey) {
  EXPECT_THAT(error_of(R"({"schema":"single","maps":[],"maps":[]})"),
              HasSubstr("duplicate field `maps`"));
}

TEST(ReportJsonError, OtherSchemasAreNamed) {
  EXPECT_THAT(error_of(R"({"schema":"dual","late":{}})"),
              HasSubstr("report schema 'dual' is not supported"));
}

TEST(ReportJsonError, NotAnObjectAndTrailingContent) {
  EXPECT_THAT(error_of("[1,2]"), HasSubstr("expected an object, found an array"));
  EXPECT_THAT(error_of("42"), HasSubstr("expected an object"));
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
  EXPECT_THAT(error_of(R"({"schema":"single","maps":[]} {"x":1})"), HasSubstr("trailing content"));
}

TEST(ReportJsonError, LoadReportNamesTheFile) {
  auto r = load_report("/nonexistent/dir/report.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_THAT(r.error().message(), HasSubstr("/nonexistent/dir/report.json"));
}

}  // namespace
