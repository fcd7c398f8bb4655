// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <numeric>
#include <thread>
#include <vector>

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

TEST(HugePages, AFreedBlockServesTheNextThatFitsAndNoLarger) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  void* a = weft::huge_page_alloc(10 * kMiB);
  std::memset(a, 7, 10 * kMiB);
  weft::huge_page_free(a, 10 * kMiB);
  void* b = weft::huge_page_alloc(9 * kMiB);  // fits, wastes less than half: reused
  EXPECT_EQ(b, a);
  std::memset(b, 1, 9 * kMiB);
  weft::huge_page_free(b, 9 * kMiB);  // the block's whole size is kept again
  void* c = weft::huge_page_alloc(10 * kMiB);
  EXPECT_EQ(c, a);
  weft::huge_page_free(c, 10 * kMiB);
  void* d = weft::huge_page_alloc(
      4 * kMiB);  // would waste more than half: a fresh block (maybe at a's place)
  EXPECT_TRUE(aligned_to(d, std::uintptr_t{2} << 20));
  weft::huge_page_free(d, 4 * kMiB);
}

TEST(HugePages, ThreadsAllocateAndFreeAtOnce) {
  constexpr std::size_t kBytes = weft::kHugePageMinBytes + 12345;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 50; ++i) {
        auto* p = static_cast<unsigned char*>(weft::huge_page_alloc(kBytes + t * 4096));
        p[0] = p[kBytes - 1] = static_cast<unsigned char>(t);
        EXPECT_EQ(p[0] + p[kBytes - 1], 2 * t);
        weft::huge_page_free(p, kBytes + t * 4096);
      }
    });
  for (auto& th : threads) th.join();
}

}  // namespace
