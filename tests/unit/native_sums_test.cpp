// Native snapshots of format version 2 checksum the sections zstd does not
// cover: a flipped bit anywhere in `.BTF` or `.scxsnap.index` is an error
// naming the section (it was exit 0 with "malformed BTF", or a quietly
// different map id); a version-2 file without its checksum table is corrupt;
// version-1 files (no table) still read. No kernel: the snapshot is captured
// from a hash map served from memory (memory_maps.hpp).
#include "capture/capture_internal.hpp"
#include "cli_util.hpp"
#include "memory_maps.hpp"
#include "scxsnap/scxsnap.hpp"

#include <linux/bpf.h>

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace scxsnap;
using ::testing::HasSubstr;

namespace {

// The ELF section table of a native snapshot, by name.
struct SectionAt {
  std::uint64_t offset = 0, size = 0, header = 0;  // header: the entry's offset in the file
};
std::map<std::string, SectionAt> sections_of(const std::string& b) {
  std::uint64_t shoff = 0;
  std::uint16_t shnum = 0, shstrndx = 0;
  std::memcpy(&shoff, b.data() + 0x28, 8);
  std::memcpy(&shnum, b.data() + 0x3c, 2);
  std::memcpy(&shstrndx, b.data() + 0x3e, 2);
  auto entry = [&](std::size_t i) {
    SectionAt s;
    s.header = shoff + 64 * i;
    std::memcpy(&s.offset, b.data() + s.header + 24, 8);
    std::memcpy(&s.size, b.data() + s.header + 32, 8);
    return s;
  };
  const SectionAt names = entry(shstrndx);
  std::map<std::string, SectionAt> out;
  for (std::size_t i = 1; i < shnum; ++i) {
    std::uint32_t name = 0;
    std::memcpy(&name, b.data() + shoff + 64 * i, 4);
    out[std::string(b.data() + names.offset + name)] = entry(i);
  }
  return out;
}

struct SumsHash : MemoryMaps {
  SumsHash() {
    MemoryMap& m = add(7001, BPF_MAP_TYPE_HASH, "sums_hash", 4, 8, 64);
    for (std::uint32_t k = 0; k < 40; ++k) put(m, k, std::uint64_t{k} * 3);
  }
};

TEST(NativeSums, FlippedBitsInTheBtfOrTheIndexAreCaught) {
  SumsHash src;
  TempDir dir;
  const std::string path = dir.path() + "/v2.scxsnap", bad = dir.path() + "/bad.scxsnap";
  CaptureOptions o;
  o.map_ids = {7001};
  ASSERT_TRUE(capture_detail::capture_native_to(o, src, path, {}));
  auto snap = NativeSnapshot::open(path);
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->format_version(), 2u);
  const std::string bytes = slurp(path);
  const auto secs = sections_of(bytes);
  ASSERT_TRUE(secs.count(".scxsnap.sums"));
  EXPECT_EQ(secs.at(".scxsnap.sums").size, 24u);
  for (const char* name : {".BTF", ".scxsnap.index"}) {
    const SectionAt s = secs.at(name);
    ASSERT_GT(s.size, 8u) << name;
    std::size_t caught = 0, tried = 0;
    for (std::uint64_t at = s.offset; at < s.offset + s.size; at += 1 + s.size / 97) {
      for (int bit : {0, 5}) {
        std::string b = bytes;
        b[at] = static_cast<char>(b[at] ^ (1 << bit));
        spit(bad, b);
        ++tried;
        auto r = NativeSnapshot::open(bad);
        if (r) continue;
        ++caught;
        EXPECT_THAT(r.error().message(), HasSubstr(std::string("section ") + name));
        EXPECT_THAT(r.error().message(), HasSubstr("does not match its checksum"));
      }
    }
    EXPECT_EQ(caught, tried) << name;
  }
  // The CLI: exit 2, the section named (a flipped BTF bit was exit 0).
  std::string b = bytes;
  b[secs.at(".BTF").offset + secs.at(".BTF").size / 2] ^= 1;
  spit(bad, b);
  auto r = run_cli({"show", bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("section .BTF at offset"));
  // A corrupt checksum table, and none at all (its name cut in .shstrtab).
  b = bytes;
  b[secs.at(".scxsnap.sums").offset] ^= 1;
  spit(bad, b);
  auto t = NativeSnapshot::open(bad);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error().message(), HasSubstr("is not a checksum table"));
  b = bytes;
  const auto at = b.find(".scxsnap.sums");
  ASSERT_NE(at, std::string::npos);
  b[at + 12] = 'X';
  spit(bad, b);
  auto m = NativeSnapshot::open(bad);
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message(), HasSubstr("the .scxsnap.sums section is missing (format "
                                             "version 2 checksums its BTF and index)"));
}

// Files of version 1 (no checksum table) are still read: the shipped one.
TEST(NativeSums, VersionOneFilesStillRead) {
  const std::string v1 = std::string(SCXSNAP_TEST_DATA) + "/native/small.scxsnap";
  ASSERT_FALSE(sections_of(slurp(v1)).count(".scxsnap.sums"));
  auto snap = NativeSnapshot::open(v1);
  ASSERT_TRUE(snap) << snap.error().message();
  EXPECT_EQ(snap->format_version(), 1u);
  auto r = snap->load();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->maps.empty());
}

}  // namespace
