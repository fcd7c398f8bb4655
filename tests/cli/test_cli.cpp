// SPDX-License-Identifier: Apache-2.0
// `weft` commands that succeed: help, version, info, check, and the deck
// reference generated from the schema.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "cli_support.hpp"

namespace weft::test {
namespace fs = std::filesystem;

Scratch::Scratch() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("weft-cli-" + std::to_string(rd()));
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::all);  // readable by `nobody` for the permission test
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

fs::path Scratch::write(const std::string& name, const std::string& text) const {
  const fs::path p = dir_ / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

Result run_in(const fs::path& dir, const std::string& command) {
  std::string cmd = command;
  auto replace = [&cmd](const std::string& word, const std::string& with) {
    for (std::size_t at = 0; (at = cmd.find(word, at)) != std::string::npos;) {
      const bool start = at == 0 || cmd[at - 1] == ' ' || cmd[at - 1] == ';';
      const bool end = at + word.size() == cmd.size() || cmd[at + word.size()] == ' ';
      if (start && end) {
        cmd.replace(at, word.size(), with);
        at += with.size();
      } else {
        at += word.size();
      }
    }
  };
  replace("weft", WEFT_BIN);
  replace("mpirun", std::string(WEFT_MPIEXEC) + " --allow-run-as-root --oversubscribe");
  const std::string full = "cd '" + dir.string() + "' && timeout 120 env " + cmd + " 2>&1";
  Result r;
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (std::size_t at = 0; (at = hay.find(needle, at)) != std::string::npos; at += needle.size())
    ++n;
  return n;
}

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cli, HelpShowsExamplesAndExitCodes) {
  Scratch s;
  auto r = run_in(s.path(), "weft --help");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("mpirun -np 4 weft run inputs/lj-melt.toml"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Exit codes: 0 success, 2 bad input"), std::string::npos) << r.output;
  auto v = run_in(s.path(), "weft --version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.output.rfind("weft ", 0), 0u) << v.output;
}

TEST(Cli, InfoPrintsVersionsSimdAndThreads) {
  Scratch s;
  auto r = run_in(s.path(), "WEFT_NUM_THREADS=3 weft info");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* k : {"Open MPI", "HDF5      1.10", "Boost     1.74", "SIMD", "g++",
                        "threads   3 per rank", "WEFT_NUM_THREADS"})
    EXPECT_NE(r.output.find(k), std::string::npos) << k << "\n" << r.output;
}

TEST(Cli, CheckPrintsAResolvedDeckThatChecksAgain) {
  Scratch s;
  auto r = run_in(s.path(), std::string("weft check ") + WEFT_SOURCE_DIR + "/inputs/lj-melt.toml");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("progress_seconds = 10"), std::string::npos) << r.output;  // a default
  s.write("resolved.toml", r.output);
  auto again = run_in(s.path(), "weft check resolved.toml");
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_FALSE(fs::exists(s.path() / "out")) << "check must not create outputs";
}

TEST(Cli, HelpDeckIsDocsDeckMd) {
  Scratch s;
  auto r = run_in(s.path(), "weft help deck");
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.output, slurp(fs::path(WEFT_SOURCE_DIR) / "docs/deck.md"))
      << "docs/deck.md is out of date: run `ninja -C build deck-doc`";
  EXPECT_NE(r.output.find("| `cutoff` | real | `2.5` | sigma | 0 < x |"), std::string::npos);
}

}  // namespace
}  // namespace weft::test
