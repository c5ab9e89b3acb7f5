// Runs the scxsnap binary and captures its exit code, stdout and stderr.
#pragma once

#include "temp_dir.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

/// What a CLI process takes besides the data a test sizes its bound by:
/// the binary, its libraries and the allocator's slack. Under ASan the same
/// code runs with shadow memory (1/8 of the heap) and a 256 MiB quarantine of
/// freed blocks: the bound is checked with that added.
#ifdef SCXSNAP_SANITIZED
inline constexpr long kBaseBoundKiB = (64 + 320) * 1024;
#else
inline constexpr long kBaseBoundKiB = 64 * 1024;
#endif

struct CliResult {
  int exit_code = -1;
  std::string out, err;
  long max_rss_kib = 0;  // peak resident set of scxsnap (through rss_probe)
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline CliResult run_cli(std::vector<std::string> args, const std::string& stdin_text = {}) {
  TempDir dir;
  std::string in = dir.path() + "/stdin", out = dir.path() + "/stdout",
              err = dir.path() + "/stderr";
  spit(in, stdin_text);
  pid_t pid = ::fork();
  if (pid == 0) {
    int fi = ::open(in.c_str(), O_RDONLY),
        fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600),
        fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fi, 0);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    std::vector<char*> argv;
    std::string probe = SCXSNAP_RSS_PROBE, rss_file = dir.path() + "/rss";
    std::string prog = SCXSNAP_CLI;
    argv.push_back(probe.data());
    argv.push_back(rss_file.data());
    argv.push_back(prog.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(probe.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r;
  r.max_rss_kib = std::atol(slurp(dir.path() + "/rss").c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}
