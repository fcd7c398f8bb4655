// SPDX-License-Identifier: Apache-2.0
// RangeShare over the ranks of MPI_COMM_WORLD: a slow rank holding the
// whole input gives the back halves of its rest to the others, the parts
// every rank parsed tile the input exactly (no unit twice, none lost), and
// ranks with nothing to share end without waiting forever.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "share.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::events {
namespace {

// Record starts every kRecord units; the cut is the first one after `from`.
constexpr std::int64_t kRecord = 10;
std::int64_t cut_at_record(std::int64_t from, std::int64_t) {
  return (from / kRecord + 1) * kRecord;
}

// parse_all() parses [begin, end) a record at a time (rank `slow` sleeping
// `pause` after each), serving requests between records, then steals until
// none is given: the ranges this rank parsed, as {start, stop} pairs.
std::vector<std::int64_t> parse_all(RangeShare& share, std::int64_t begin, std::int64_t end,
                                    bool slow, std::chrono::microseconds pause) {
  std::vector<std::int64_t> parsed;
  for (;;) {
    const std::int64_t start = begin;
    while (begin < end) {
      begin = std::min(end, begin + kRecord);
      if (slow) std::this_thread::sleep_for(pause);
      share.serve(begin, end, cut_at_record);
    }
    if (begin > start) parsed.insert(parsed.end(), {start, begin});
    const auto part = share.steal();
    if (!part) break;
    EXPECT_EQ(part->begin % kRecord, 0) << "a part starts at a record";
    EXPECT_LT(part->begin, part->end);
    begin = part->begin;
    end = part->end;
  }
  share.finish();
  return parsed;
}

// expect_tiled() checks that the ranges of every rank tile [0, n).
void expect_tiled(const std::vector<std::int64_t>& mine, std::int64_t n) {
  std::vector<std::int64_t> all =
      mpi::allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_COMM_WORLD);
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  for (std::size_t i = 0; i + 1 < all.size(); i += 2) ranges.emplace_back(all[i], all[i + 1]);
  std::sort(ranges.begin(), ranges.end());
  std::int64_t at = 0;
  for (const auto& [a, b] : ranges) {
    EXPECT_EQ(a, at) << "a gap or an overlap at unit " << at;
    at = b;
  }
  EXPECT_EQ(at, n);
}

TEST(EventsRangeShare, ASlowRanksRangeIsSharedByTheOthers) {
  const mpi::Comm world(MPI_COMM_WORLD);
  constexpr std::int64_t kUnits = 4000;  // rank 0: 400 records of 1 ms each alone
  int idle = 0;
  RangeShare share(MPI_COMM_WORLD, 2 * kRecord, [&] { ++idle; });
  const bool owner = world.rank() == 0;
  const std::vector<std::int64_t> mine =
      parse_all(share, owner ? 0 : kUnits, kUnits, owner, std::chrono::microseconds(1000));
  expect_tiled(mine, kUnits);
  std::int64_t units = 0;
  for (std::size_t i = 0; i < mine.size(); i += 2) units += mine[i + 1] - mine[i];
  const std::vector<std::int64_t> per_rank = mpi::allgather(units, world);
  if (world.size() == 1) {
    EXPECT_EQ(share.parts(), 0);
    return;
  }
  // Every other rank took parts of rank 0's range; rank 0 parsed less than half of it.
  if (!owner) {
    EXPECT_GT(share.parts(), 0);
    EXPECT_GT(units, 0);
  }
  EXPECT_LT(per_rank[0], kUnits / 2) << "rank 0 kept most of its range";
}

TEST(EventsRangeShare, RanksWithEqualRangesEndWithoutWaitingForever) {
  const mpi::Comm world(MPI_COMM_WORLD);
  const std::int64_t per = 50 * kRecord;
  RangeShare share(MPI_COMM_WORLD, 2 * kRecord, [] {});
  const std::vector<std::int64_t> mine =
      parse_all(share, world.rank() * per, (world.rank() + 1) * per, false, {});
  expect_tiled(mine, world.size() * per);
  // Nothing at all to parse: every request is declined.
  RangeShare none(MPI_COMM_WORLD, 2 * kRecord, [] {});
  EXPECT_TRUE(parse_all(none, 0, 0, false, {}).empty());
  EXPECT_EQ(none.parts(), 0);
}

}  // namespace
}  // namespace weft::events
