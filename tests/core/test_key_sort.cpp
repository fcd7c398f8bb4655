// SPDX-License-Identifier: Apache-2.0
// sort_indices_by_key against std::stable_sort: ties, shared bytes, subsets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "weft/core/key_sort.hpp"

namespace {

template <class Index>
std::vector<Index> reference(const std::vector<std::uint64_t>& keys, std::vector<Index> order) {
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
    return keys[static_cast<std::size_t>(a)] < keys[static_cast<std::size_t>(b)];
  });
  return order;
}

// keys() draws n keys: `distinct` values (many ties when small), spread over
// the bytes set in `mask` only.
std::vector<std::uint64_t> keys(std::size_t n, std::uint64_t distinct, std::uint64_t mask,
                                unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> values(std::min<std::uint64_t>(distinct, 4096));
  for (auto& v : values) v = rng() & mask;
  std::vector<std::uint64_t> k(n);
  for (auto& v : k) v = distinct > values.size() ? rng() & mask : values[rng() % values.size()];
  return k;
}

TEST(KeySortTest, EqualsStableSort) {
  for (const std::size_t n : {0, 1, 2, 3, 255, 256, 257, 10000, 100003}) {
    for (const std::uint64_t distinct :
         {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1} << 40}) {
      for (const std::uint64_t mask : {~std::uint64_t{0}, std::uint64_t{0x7fffffffffffffff},
                                       std::uint64_t{0x00ff00000000ff00}}) {
        const auto k = keys(n, distinct, mask, static_cast<unsigned>(n + distinct));
        std::vector<std::int64_t> order(n);
        std::iota(order.begin(), order.end(), std::int64_t{0});
        const auto want = reference(k, order);
        std::vector<std::uint64_t> sorted;
        weft::sort_indices_by_key(k, order, &sorted);
        ASSERT_EQ(order, want) << "n " << n << " distinct " << distinct << " mask " << mask;
        ASSERT_EQ(sorted.size(), n);
        for (std::size_t i = 0; i < n; ++i)
          ASSERT_EQ(sorted[i], k[static_cast<std::size_t>(want[i])]);
      }
    }
  }
}

TEST(KeySortTest, SortsASubsetInItsGivenOrder) {
  const auto k = keys(5000, 50, ~std::uint64_t{0}, 3);
  std::vector<std::size_t> order;
  for (std::size_t i = 5000; i-- > 0;) {
    if (i % 3 != 0) order.push_back(i);  // a subset, listed backwards
  }
  const auto want = reference(k, order);
  weft::sort_indices_by_key(k, order);
  EXPECT_EQ(order, want);
}

}  // namespace
