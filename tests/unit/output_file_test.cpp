// OutputFile: nothing half-written, symlinks followed (never replaced),
// devices and FIFOs written in place, bad paths refused before any work.
#include "scxsnap/output_file.hpp"

#include "cli_util.hpp"
#include "scxsnap/report.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace scxsnap;
namespace fs = std::filesystem;

TEST(OutputFile, ReplacesTheFileASymlinkLeadsToNotTheLink) {
  TempDir d;
  std::string target = d.path() + "/target.json", link = d.path() + "/link.json";
  spit(target, "old");
  fs::create_symlink(target, link);
  ASSERT_TRUE(write_file_atomic(link, "new"));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(target), "new");
}

TEST(OutputFile, AbandonedWriteLeavesNothingAndKeepsTheOldFile) {
  TempDir d;
  std::string p = d.path() + "/out.json";
  spit(p, "old");
  {
    auto f = OutputFile::create(p);
    ASSERT_TRUE(f.has_value());
    ASSERT_TRUE(f->write("half"));
  }  // destroyed uncommitted
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(d.path()), fs::directory_iterator{}), 1);
}

TEST(OutputFile, MissingDirectoryAndDirectoryTargetFailAtCreate) {
  auto a = OutputFile::create("/no/such/dir/x.json");
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().message(),
            "cannot write /no/such/dir/x.json: directory /no/such/dir does not exist");
  TempDir d;
  auto b = OutputFile::create(d.path());
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message().find("is a directory"), std::string::npos);
}

TEST(OutputFile, DevicesAndFifosAreWrittenInPlace) {
  ASSERT_TRUE(write_file_atomic("/dev/null", "x"));
  TempDir d;
  std::string fifo = d.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string got = slurp(fifo);
    ::_exit(got == "through a fifo" ? 0 : 1);
  }
  ASSERT_TRUE(write_file_atomic(fifo, "through a fifo"));
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(fs::is_fifo(fifo));
}

// A FIFO is a valid input (`scxsnap show <(cat f)`): its size is not trusted.
TEST(InputFile, ShowReadsAFifo) {
  TempDir d;
  std::string fifo = d.path() + "/in";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string text = slurp(std::string(SCXSNAP_TEST_DATA) + "/sample_report.json");
  ASSERT_FALSE(text.empty());
  pid_t writer = ::fork();
  if (writer == 0) {
    spit(fifo, text);
    ::_exit(0);
  }
  CliResult r = run_cli({"show", fifo});
  ::waitpid(writer, nullptr, 0);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("maps: "), std::string::npos) << r.out;
}
