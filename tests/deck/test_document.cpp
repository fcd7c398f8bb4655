// SPDX-License-Identifier: Apache-2.0
// Deck files and text before the schema: reading, syntax, duplicates,
// binary data, emptiness; and the typo distance.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "weft/deck/document.hpp"

namespace {
using weft::deck::Diagnostics;

std::string problems(std::string_view text, std::vector<std::string> sets = {}) {
  Diagnostics d;
  auto t = weft::deck::parse_text(text, "d.toml", sets, d);
  EXPECT_EQ(t.has_value(), d.empty() || !sets.empty());
  return d.empty() ? "" : d.format();
}

TEST(Document, SyntaxErrorHasLineAndColumn) {
  const auto p = problems("[run]\nsteps = = 3\n");
  EXPECT_NE(p.find("d.toml:2:"), std::string::npos) << p;
  EXPECT_NE(p.find("invalid TOML"), std::string::npos) << p;
}

TEST(Document, DuplicateKeyIsAnError) {
  const auto p = problems("[run]\nsteps = 3\nsteps = 4\n");
  EXPECT_NE(p.find("d.toml:3:"), std::string::npos) << p;
  EXPECT_NE(p.find("only once"), std::string::npos) << p;
}

TEST(Document, BinaryAndEmptyDecksAreRejected) {
  using namespace std::string_literals;
  EXPECT_NE(problems("\x7f"
                     "ELF\0\0\1"s)
                .find("not a text file"),
            std::string::npos);
  EXPECT_NE(problems("# only a comment\n").find("the deck is empty"), std::string::npos);
  EXPECT_NE(problems("\xff\xfe garbage").find("invalid TOML"), std::string::npos);
}

TEST(Document, ReadFileExplainsMissingAndDirectories) {
  Diagnostics d;
  EXPECT_FALSE(weft::deck::read_file("/nonexistent/deck.toml", d));
  EXPECT_FALSE(weft::deck::read_file(std::filesystem::temp_directory_path().string(), d));
  const auto text = d.format();
  EXPECT_NE(text.find("/nonexistent/deck.toml: error: cannot read the deck: no such file"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("is a directory"), std::string::npos) << text;
}

TEST(EditDistance, CountsTranspositionsAsOne) {
  EXPECT_EQ(weft::deck::edit_distance("steps", "steps"), 0u);
  EXPECT_EQ(weft::deck::edit_distance("stpes", "steps"), 1u);
  EXPECT_EQ(weft::deck::edit_distance("cutof", "cutoff"), 1u);
  EXPECT_EQ(weft::deck::edit_distance("", "abc"), 3u);
  EXPECT_EQ(weft::deck::closest("temprature", {"temperature", "damping"}), "temperature");
  EXPECT_EQ(weft::deck::closest("foo", {"box", "run"}), "");
}

}  // namespace
