// SPDX-License-Identifier: Apache-2.0
#include "weft/deck/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace weft::deck {

void Diagnostics::error(Origin origin, std::string path, std::string message) {
  items_.push_back({std::move(origin), std::move(path), std::move(message)});
}

std::string Diagnostics::format() const {
  std::vector<const Diagnostic*> sorted;
  sorted.reserve(items_.size());
  for (const auto& d : items_) sorted.push_back(&d);
  // --set and file-level problems first, then by line; stable keeps the
  // order of discovery for ties.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->origin.file != b->origin.file) return a->origin.file < b->origin.file;
    if (a->origin.line != b->origin.line) return a->origin.line < b->origin.line;
    return a->origin.column < b->origin.column;
  });
  std::string out;
  for (const Diagnostic* d : sorted) {
    std::string where = d->origin.file;
    if (d->origin.line > 0) {
      where += fmt::format(":{}:{}", d->origin.line, d->origin.column);
    }
    const std::string key = d->path.empty() ? "" : d->path + ": ";
    out += fmt::format("{}: error: {}{}\n", where, key, d->message);
  }
  out += fmt::format("{} error{} in the deck; nothing was run and no output was written.\n",
                     items_.size(), items_.size() == 1 ? "" : "s");
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: insert, delete, substitute, or swap two
  // neighbouring characters, each counting 1 (so "stpes" is 1 from "steps").
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(1, (word.size() + 1) / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace weft::deck
