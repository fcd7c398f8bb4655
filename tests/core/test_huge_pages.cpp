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

constexpr std::size_t kMiB = std::size_t{1} << 20;

// only_kept() leaves exactly one kept range, of `bytes`, and returns it:
// a block larger than everything kept takes it all, then is freed.
void* only_kept(std::size_t bytes) {
  const std::size_t all = weft::huge_page_kept_bytes() + bytes;
  void* p = weft::huge_page_alloc(all);
  weft::huge_page_free(p, all);
  void* q = weft::huge_page_alloc(all - bytes);  // the front; `bytes` stay kept
  EXPECT_EQ(q, p);
  EXPECT_EQ(weft::huge_page_kept_bytes(), bytes);
  return static_cast<char*>(p) + (all - bytes);
}

TEST(HugePages, AFreedBlockServesTheNextThatFits) {
  char* a = static_cast<char*>(only_kept(10 * kMiB));
  void* b = weft::huge_page_alloc(9 * kMiB);  // rounds to 10 MiB: the whole range
  EXPECT_EQ(b, a);
  EXPECT_EQ(weft::huge_page_kept_bytes(), 0u);
  weft::huge_page_free(b, 9 * kMiB);
  EXPECT_EQ(weft::huge_page_kept_bytes(), 10 * kMiB);
  void* c = weft::huge_page_alloc(4 * kMiB);  // the front of the range; 6 MiB stay kept
  EXPECT_EQ(c, a);
  EXPECT_EQ(weft::huge_page_kept_bytes(), 6 * kMiB);
  void* d = weft::huge_page_alloc(5 * kMiB);  // rounds to 6 MiB: the rest
  EXPECT_EQ(d, a + 4 * kMiB);
  EXPECT_EQ(weft::huge_page_kept_bytes(), 0u);
  weft::huge_page_free(c, 4 * kMiB);
  weft::huge_page_free(d, 5 * kMiB);
}

TEST(HugePages, KeptPagesMoveIntoALargerBlockWithTheirContents) {
  // Two kept ranges, neither large enough: the new block gets both ranges'
  // pages (their old bytes show it was no fresh, zeroed memory) and fresh
  // pages for the rest, and nothing stays kept.
  char* a = static_cast<char*>(only_kept(4 * kMiB));
  char* x = static_cast<char*>(weft::huge_page_alloc(4 * kMiB));  // the kept range
  EXPECT_EQ(x, a);
  char* y = static_cast<char*>(weft::huge_page_alloc(6 * kMiB));  // fresh
  std::memset(x, 0xAA, 4 * kMiB);
  std::memset(y, 0xBB, 6 * kMiB);
  weft::huge_page_free(x, 4 * kMiB);
  weft::huge_page_free(y, 6 * kMiB);
  EXPECT_EQ(weft::huge_page_kept_bytes(), 10 * kMiB);
  auto* c = static_cast<unsigned char*>(weft::huge_page_alloc(12 * kMiB));
  EXPECT_EQ(weft::huge_page_kept_bytes(), 0u);
  // largest first: b's 6 MiB, then a's 4 MiB, then 2 MiB fresh
  EXPECT_EQ(c[0], 0xBB);
  EXPECT_EQ(c[6 * kMiB - 1], 0xBB);
  EXPECT_EQ(c[6 * kMiB], 0xAA);
  EXPECT_EQ(c[10 * kMiB - 1], 0xAA);
  EXPECT_EQ(c[10 * kMiB], 0);
  std::memset(c, 1, 12 * kMiB);  // every byte is writable
  weft::huge_page_free(c, 12 * kMiB);
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
