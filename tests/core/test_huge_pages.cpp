// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

#include "weft/core/huge_pages.hpp"

namespace {

bool aligned_to(const void* p, std::uintptr_t a) {
  return reinterpret_cast<std::uintptr_t>(p) % a == 0;
}

TEST(HugePages, LargeBlocksStartOnA2MiBBoundary) {
  weft::HugePageVector<double> x(weft::kHugePageMinBytes / sizeof(double) + 3);
  EXPECT_TRUE(aligned_to(x.data(), std::uintptr_t{2} << 20));
  std::iota(x.begin(), x.end(), 0.0);  // every byte of the block is usable
  EXPECT_EQ(x.back(), static_cast<double>(x.size() - 1));
}

TEST(HugePages, SmallBlocksAndGrowthKeepTheValues) {
  weft::HugePageVector<std::int32_t> v;
  for (std::int32_t i = 0; i < 3'000'000; ++i)
    v.push_back(i);  // crosses the threshold while growing
  EXPECT_TRUE(aligned_to(v.data(), std::uintptr_t{2} << 20));
  for (std::int32_t i = 0; i < 3'000'000; i += 999'983)
    EXPECT_EQ(v[static_cast<std::size_t>(i)], i);
  v.resize(10);
  v.shrink_to_fit();
  EXPECT_EQ(v.size(), 10u);
  EXPECT_EQ(v[9], 9);
}

}  // namespace
