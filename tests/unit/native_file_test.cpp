// A shipped native snapshot (tests/data/native/small.scxsnap, captured from
// the suite's objects) read without a kernel: it converts to the shipped JSON
// byte for byte, every reading command takes it, and a truncated, corrupted or
// foreign file is a clear error naming where, never a crash.
#include "cli_util.hpp"
#include "scxsnap/scxsnap.hpp"
#include "test_util.hpp"

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using ::testing::AnyOf;
using ::testing::HasSubstr;

namespace {

const std::string kSmall = std::string(SCXSNAP_TEST_DATA) + "/native/small.scxsnap";

Result<std::string> json_of(const std::string& path) {
  SCXSNAP_TRY(NativeSnapshot snap, NativeSnapshot::open(path));
  std::string out;
  SCXSNAP_TRY_VOID(snap.load());
  SCXSNAP_TRY_VOID(snap.write_json([&](std::string_view c) -> Result<void> {
    out += c;
    return {};
  }));
  return out;
}

TEST(NativeFile, ConvertsToTheShippedJson) {
  auto j = json_of(kSmall);
  ASSERT_TRUE(j) << j.error().message();
  EXPECT_EQ(*j + "\n", read_test_file("native/small.json"));
  TempDir dir;
  auto r = run_cli({"convert", kSmall, dir.path() + "/out.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir.path() + "/out.json"), read_test_file("native/small.json"));
  r = run_cli({"convert", "--pretty", kSmall, dir.path() + "/pretty.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto a = parse_report(slurp(dir.path() + "/pretty.json"));
  auto b = parse_report(read_test_file("native/small.json"));
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a == *b);
}

TEST(NativeFile, LoadsTheModelOfItsJson) {
  auto snap = NativeSnapshot::open(kSmall);
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->format_version(), 1u);
  EXPECT_FALSE(snap->writer_version().empty());
  EXPECT_GT(snap->raw_bytes(), snap->file_bytes());  // zeros compress
  auto model = snap->load();
  auto json = parse_report(read_test_file("native/small.json"));
  ASSERT_TRUE(model && json);
  EXPECT_TRUE(model->maps == json->maps);
  // The skeleton lists every map without contents; a selection renders one.
  EXPECT_EQ(snap->skeleton().maps.size(), json->maps.size());
  NativeSelection sel;
  sel.maps = {"big_hash"};
  auto one = snap->load(sel);
  ASSERT_TRUE(one);
  std::size_t rendered = 0;
  for (const auto& m : one->maps)
    if (!m.entries.empty() || m.value || !m.percpu_entries.empty() || !m.array_entries.empty()) {
      ++rendered;
      EXPECT_EQ(m.name, "big_hash");
    }
  EXPECT_EQ(rendered, 1u);
  auto loaded = load_any_dump(kSmall);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(std::get<FailureDumpReport>(*loaded).maps == json->maps);
}

TEST(NativeFile, EveryReadingCommandTakesIt) {
  auto r = run_cli({"show", kSmall});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("big_hash"));
  EXPECT_THAT(r.out, HasSubstr("native snapshot"));
  r = run_cli({"map", kSmall, "big_hash"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("big_val{a=1, b=2, c=3, d=-4}"));
  r = run_cli({"var", kSmall, "nr_enqueued"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_cli({"var", kSmall, "no_such_global"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nr_enqueued"));  // the error names what is there
  TempDir dir;
  std::string json = dir.path() + "/small.json";
  spit(json, read_test_file("native/small.json"));
  r = run_cli({"diff", kSmall, json});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_cli({"report", kSmall, "-o", dir.path() + "/r.html"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every way to cut the file short is an error naming the file; never a crash.
TEST(NativeFile, TruncatedAnywhereIsAnError) {
  const std::string bytes = read_test_file("native/small.scxsnap");
  ASSERT_GT(bytes.size(), 1000u);
  TempDir dir;
  const std::string path = dir.path() + "/cut.scxsnap";
  std::size_t errors = 0, cuts = 0;
  for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 16) {
    spit(path, bytes.substr(0, cut));
    ++cuts;
    auto j = json_of(path);
    if (j) continue;
    ++errors;
    EXPECT_THAT(j.error().message(), HasSubstr(path)) << cut;
  }
  EXPECT_EQ(errors, cuts);  // the ELF tables are at the end: every cut loses them
  spit(path, bytes.substr(0, bytes.size() / 2));
  auto r = run_cli({"show", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("truncated"));
  // Nothing is left at the output of a failed convert.
  r = run_cli({"convert", path, dir.path() + "/out.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/out.json"));
}

TEST(NativeFile, CorruptFramesAreErrorsNamingTheFrame) {
  const std::string bytes = read_test_file("native/small.scxsnap");
  TempDir dir;
  const std::string path = dir.path() + "/bad.scxsnap";
  // Flip one byte at a time across the data section (the first section,
  // after the 64-byte ELF header): zstd's checksum or framing catches every
  // change.
  std::uint64_t shoff = 0, data_size = 0;
  std::memcpy(&shoff, bytes.data() + 0x28, 8);
  std::memcpy(&data_size, bytes.data() + shoff + 64 + 32, 8);  // section 1's sh_size
  ASSERT_GT(data_size, 500u);
  std::size_t caught = 0, tried = 0;
  for (std::size_t at = 64; at < 64 + data_size; at += 7) {
    std::string b = bytes;
    b[at] = static_cast<char>(b[at] ^ 0x5a);
    spit(path, b);
    ++tried;
    auto j = json_of(path);
    if (!j) {
      ++caught;
      EXPECT_THAT(j.error().message(), AnyOf(HasSubstr("frame"), HasSubstr("report")));
    }
  }
  EXPECT_EQ(caught, tried);
  // Random bytes anywhere (the BTF, the index, the tables): an error or a
  // rendering, never a crash.
  for (std::size_t at = bytes.size() / 2; at < bytes.size(); at += 13) {
    std::string b = bytes;
    b[at] = static_cast<char>(b[at] ^ 0xff);
    spit(path, b);
    (void)json_of(path);
  }
}

TEST(NativeFile, OtherVersionsAndOtherFilesAreRefused) {
  std::string bytes = read_test_file("native/small.scxsnap");
  auto at = bytes.find("\"version\":1,");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = '7';
  TempDir dir;
  const std::string path = dir.path() + "/v7.scxsnap";
  spit(path, bytes);
  auto snap = NativeSnapshot::open(path);
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code(), ErrorCode::Unsupported);
  EXPECT_THAT(snap.error().message(),
              HasSubstr("format version 7 (this scxsnap reads versions 1 to 2; it was written by a "
                        "newer scxsnap: upgrade)"));
  // An ELF file that is not a snapshot: a BPF object.
  const std::string obj = std::string(SCXSNAP_BPF_DIR) + "/types.bpf.o";
  ASSERT_TRUE(is_native_snapshot(obj));
  auto o = NativeSnapshot::open(obj);
  ASSERT_FALSE(o);
  EXPECT_THAT(o.error().message(), HasSubstr("not a scxsnap native snapshot"));
  auto r = run_cli({"show", obj});
  EXPECT_EQ(r.exit_code, 2);
  // Not a regular file; no file at all.
  EXPECT_FALSE(is_native_snapshot("/dev/null"));
  auto m = NativeSnapshot::open(dir.path() + "/missing.scxsnap");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::NotFound);
  // A native snapshot needs a regular file to be written to.
  r = run_cli({"capture", "-q", "--format", "native", "-o", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("regular file"));
}

}  // namespace
