// SPDX-License-Identifier: Apache-2.0
// SmallText against std::string: every length around the inline limit,
// copies, moves, self-assignment, ordering, and sorting a vector of records.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/small_text.hpp"

namespace {

using weft::SmallText;

// text() is n bytes that differ by position and seed, NULs and high bytes included.
std::string text(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7) % 256);
  return s;
}

TEST(SmallText, HoldsEveryLengthAroundTheInlineLimit) {
  static_assert(sizeof(SmallText) == 16);
  for (std::size_t n : {0, 1, 7, 14, 15, 16, 17, 31, 100, 100000}) {
    const std::string s = text(n, 3);
    const SmallText t(s);
    EXPECT_EQ(t.size(), n);
    EXPECT_EQ(t.empty(), n == 0);
    EXPECT_EQ(std::string(t.view()), s) << n;
    EXPECT_EQ(t.str(), s);
    if (n > 0) {
      EXPECT_EQ(t[n - 1], s[n - 1]);
    }
  }
}

TEST(SmallText, CopiesAreDeepAndMovesLeaveAnEmptyText) {
  for (std::size_t n : {5, 15, 16, 40}) {
    SmallText a(text(n, 1));
    SmallText b = a;  // copy
    a.assign(text(n, 2));
    EXPECT_EQ(b.view(), text(n, 1));
    EXPECT_EQ(a.view(), text(n, 2));
    SmallText c = std::move(a);
    EXPECT_EQ(c.view(), text(n, 2));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from text is empty
    b = std::move(c);
    EXPECT_EQ(b.view(), text(n, 2));
    std::swap(b, c);
    EXPECT_EQ(c.view(), text(n, 2));
    EXPECT_TRUE(b.empty());
  }
}

TEST(SmallText, AssignsFromItsOwnBytesAndAcrossTheLimit) {
  SmallText t(text(40, 5));
  t.assign(t.view().substr(3, 30));  // heap to heap, from its own block
  EXPECT_EQ(t.view(), text(40, 5).substr(3, 30));
  t.assign(t.view().substr(1, 10));  // heap to inline, from its own block
  EXPECT_EQ(t.view(), text(40, 5).substr(4, 10));
  t.assign(t.view().substr(2));  // inline to inline, overlapping
  EXPECT_EQ(t.view(), text(40, 5).substr(6, 8));
  const SmallText& self = t;
  t = self;
  EXPECT_EQ(t.view(), text(40, 5).substr(6, 8));
  t = std::string(20, 'x');
  EXPECT_EQ(t, std::string(20, 'x'));
  t.clear();
  EXPECT_EQ(t, "");
}

TEST(SmallText, OrdersLikeStdStringAndSortsRecords) {
  struct Row {
    int id;
    SmallText key;
  };
  std::mt19937 rng(11);
  std::vector<Row> rows;
  std::vector<std::pair<std::string, int>> want;
  for (int i = 0; i < 2000; ++i) {
    const std::string k = text(rng() % 24, rng() % 5);
    rows.push_back({i, k});
    want.emplace_back(k, i);
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  });
  std::sort(want.begin(), want.end());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].key.view(), want[i].first) << i;
    EXPECT_EQ(rows[i].id, want[i].second) << i;
  }
  EXPECT_LT(SmallText("ab"), SmallText("abc"));
  EXPECT_LT(SmallText("abc"), std::string("abd"));
  EXPECT_EQ(SmallText(std::string_view("a\0b", 3)).compare(std::string_view("a\0b", 3)), 0);
}

}  // namespace
