// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace weft::deck {

// Origin is where a deck value came from: a file position, or a --set option
// (file "--set", line 0), or nowhere (a default: line 0, empty file).
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
};

// Diagnostic is one problem found in a deck.
struct Diagnostic {
  Origin origin;
  std::string path;     // key path, e.g. "pair.cutoff"; empty for file-level problems
  std::string message;  // what was expected, what was found, how to fix it
};

// Diagnostics collects every problem of a deck so they are reported in one go.
class Diagnostics {
 public:
  // error() records one problem.
  void error(Origin origin, std::string path, std::string message);

  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  const std::vector<Diagnostic>& items() const noexcept { return items_; }

  // format() renders every problem, sorted by file and line, one per line,
  // gcc style: `deck.toml:12:5: error: run.steps: expected ...`, followed by
  // a one-line summary.
  std::string format() const;

 private:
  std::vector<Diagnostic> items_;
};

// edit_distance() is the optimal-string-alignment distance between a and b
// (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b);

// closest() returns the candidate nearest to `word` when it is near enough
// to be a plausible typo (distance <= max(1, (|word|+1)/3)), else "".
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace weft::deck
