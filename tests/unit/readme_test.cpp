// The README shows the example that the build compiles and runs.
#include "cli_util.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <regex>
#include <sstream>

TEST(Readme, ShowsTheCompiledExampleVerbatim) {
  std::string readme = slurp(std::string(SCXSNAP_TEST_DATA) + "/../../README.md");
  std::string example =
      slurp(std::string(SCXSNAP_TEST_DATA) + "/../../examples/readme_example.cpp");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(readme.find(example), std::string::npos);
  EXPECT_NE(readme.find("make run"), std::string::npos);
  EXPECT_NE(readme.find("make test"), std::string::npos);
}

// Every `$ scxsnap ...` example of the README that needs no root runs against
// the shipped files and prints what the README shows.
TEST(Readme, ShellExamplesRunAgainstShippedFiles) {
  const std::string root = std::string(SCXSNAP_TEST_DATA) + "/../..";
  std::string readme = slurp(root + "/README.md");
  std::istringstream in(readme);
  std::vector<std::pair<std::string, std::string>> cases;  // command, expected output
  std::string line;
  bool in_block = false, collecting = false;
  while (std::getline(in, line)) {
    if (line.starts_with("```")) {
      in_block = !in_block;
      collecting = false;  // a command's output ends with its block
      continue;
    }
    if (!in_block) continue;
    if (line.starts_with("$ scxsnap ")) {
      cases.emplace_back(line.substr(2), "");
      collecting = true;
    } else if (line.starts_with("$ ")) {
      cases.emplace_back("", "");  // needs root (sudo) or another tool: not run
      collecting = true;
    } else if (collecting) {
      cases.back().second += line + "\n";
    }
  }
  int ran = 0;
  for (auto [cmd, expected] : cases) {
    if (cmd.empty()) continue;
    bool echo_status = false;
    if (cmd.ends_with("; echo $?")) {
      echo_status = true;
      cmd.resize(cmd.size() - std::string_view("; echo $?").size());
    }
    std::istringstream words(cmd);
    std::vector<std::string> args;
    for (std::string w; words >> w;) {
      if (w == "scxsnap" && args.empty()) continue;
      if (w.find('/') != std::string::npos && std::filesystem::exists(root + "/" + w))
        w = root + "/" + w;
      args.push_back(w);
    }
    CliResult r = run_cli(args);
    std::string got = r.err + r.out;
    if (echo_status)
      got += std::to_string(r.exit_code) + "\n";
    else
      EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_EQ(got, expected) << cmd;
    ++ran;
  }
  EXPECT_GE(ran, 5);
}

// `check --help` gives the expression grammar exactly as the README does.
TEST(Readme, CheckHelpShowsTheGrammarOfTheReadme) {
  std::string readme = slurp(std::string(SCXSNAP_TEST_DATA) + "/../../README.md");
  auto at = readme.find("EXPR  := PATTERN");
  ASSERT_NE(at, std::string::npos);
  std::string grammar = readme.substr(at, readme.find("```", at) - at);
  CliResult r = run_cli({"check", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(grammar), std::string::npos) << r.out;
}

// The bash completion offers every flag each subcommand's --help lists.
TEST(Readme, BashCompletionKnowsEveryFlagOfEverySubcommand) {
  std::string comp = slurp(std::string(SCXSNAP_TEST_DATA) + "/../../tools/scxsnap/scxsnap.bash");
  auto line_of = [&](const std::string& head) {
    auto at = comp.find(head);
    EXPECT_NE(at, std::string::npos) << head;
    if (at == std::string::npos) return std::string();
    return comp.substr(at, comp.find(";;", at) - at);
  };
  std::string shared = line_of("local capture_flags=");
  std::regex flag(R"((?:^|[ ,])(--?[a-zA-Z][a-zA-Z0-9-]*))");
  for (std::string sub :
       {"capture", "show", "var", "map", "convert", "watch", "check", "diff", "metrics", "serve"}) {
    CliResult r = run_cli({sub, "--help"});
    ASSERT_EQ(r.exit_code, 0) << sub;
    std::string mine = line_of("    " + sub + ") flags=");
    if (sub == "capture" || sub == "watch" || sub == "metrics" || sub == "serve") mine += shared;
    std::size_t n = 0;
    for (std::sregex_iterator it(r.out.begin(), r.out.end(), flag), end; it != end; ++it) {
      std::string f = (*it)[1];
      if (f == "-h" || f == "--help") continue;
      ++n;
      EXPECT_TRUE(std::regex_search(mine, std::regex("(^|[ \"\n])" + f + "([ \"\n]|$)")))
          << sub << " " << f;
    }
    EXPECT_GT(n, 0u) << sub;  // every subcommand has a flag of its own
  }
}

namespace {

// The man page has a section for every subcommand `scxsnap --help` lists,
// and no placeholder where it points the reader.
TEST(Readme, ManPageHasEverySubcommand) {
  const std::string page = slurp(std::string(SCXSNAP_BUILD_DIR) + "/scxsnap.1");
  ASSERT_FALSE(page.empty());
  CliResult help = run_cli({"--help"});
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::string line;
  std::size_t subs = 0;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (line.size() < 3 || line[0] != ' ') continue;
    std::string sub = line.substr(2, line.find(' ', 2) - 2);
    for (auto& c : sub) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(page.find(".SH \"COMMAND: " + sub + "\""), std::string::npos) << sub;
    ++subs;
  }
  EXPECT_GE(subs, 9u);
  EXPECT_EQ(page.find("https://github.com/ ("), std::string::npos);
}

}  // namespace

// The README's excerpt of `show` on the shipped failure dump is how it begins.
TEST(Readme, TheFailureDumpExcerptIsHowShowBegins) {
  const std::string root = std::string(SCXSNAP_TEST_DATA) + "/../..";
  const std::string readme = slurp(root + "/README.md");
  const std::string marker = "`scxsnap show` on it begins:\n\n```\n";
  const std::size_t at = readme.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::size_t from = at + marker.size();
  const std::string excerpt = readme.substr(from, readme.find("```", from) - from);
  CliResult r = run_cli({"show", root + "/tests/data/failure_dual.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want = excerpt;
  // The README names the file by its path in the repository.
  const std::string rel = "tests/data/failure_dual.json", abs = root + "/" + rel;
  for (std::size_t p = want.find(rel); p != std::string::npos; p = want.find(rel, p + abs.size()))
    want.replace(p, rel.size(), abs);
  EXPECT_EQ(r.out.substr(0, want.size()), want);
  EXPECT_GT(excerpt.size(), 200u);
}
