// SPDX-License-Identifier: Apache-2.0
// The key shuffle folded into the ingest (route_chunks()) over the ranks of
// MPI_COMM_WORLD: every event ends on exactly one rank, each key on one
// rank only, every rank's events in blocks of one source in that source's
// input order, texts on the heap intact, line offsets added; with rounds so
// small that received events outrun the free slots. And SourceBlocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "parse_tasks.hpp"
#include "route.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::events {
namespace {

TEST(EventsSourceBlocks, AddJoinsRemoveShrinksPerEventFills) {
  SourceBlocks b;
  b.add(3, 1);
  b.add(2, 1);  // joined
  b.add(0, 0);  // nothing
  b.add(4, 0);
  EXPECT_EQ(b.end, (std::vector<std::size_t>{5, 9}));
  EXPECT_EQ(b.source, (std::vector<std::int32_t>{1, 0}));
  const std::vector<std::size_t> gone{0, 4, 5, 8};
  b.remove(gone);
  EXPECT_EQ(b.end, (std::vector<std::size_t>{3, 5}));
  const auto src = b.per_event(5);
  EXPECT_EQ(std::vector<std::int32_t>(src.begin(), src.end()),
            (std::vector<std::int32_t>{1, 1, 1, 0, 0}));
  EXPECT_THROW(b.per_event(6), std::logic_error);
}

// The event of global index g: id g, its source rank in `file`, a key of 40
// (skewed) with every seventh key longer than a SmallText holds inline, and
// every fifth counterparty too.
Event event_of(std::int64_t g, int source, std::mt19937_64& rng) {
  Event e;
  e.id = g;
  e.file = source;
  e.line = g;  // relative; the offset below is added
  e.time_us = g * 3;
  const auto k = static_cast<int>(rng() % 40 < 20 ? 0 : rng() % 40);
  e.key = k % 7 == 3 ? "a key longer than fifteen bytes #" + std::to_string(k)
                     : "K" + std::to_string(k);
  e.counterparty = g % 5 == 0 ? "counterparty on the heap " + std::to_string(g) : "cp";
  return e;
}

// expect_routed() routes by route_chunks() (takes = 1) or by a Router
// taking the chunks in `takes` groups, the events array moving (a larger
// allocation) before each group, as the ingest's array may between pieces.
void expect_routed(std::int64_t round_bytes, int takes = 1) {
  const mpi::Comm world(MPI_COMM_WORLD);
  const int rank = world.rank();
  // Rank r parses 3000 + 500 r events in chunks of 1..700 slots, each chunk
  // leaving a few slots free (bad rows).
  std::mt19937_64 rng(11 + static_cast<unsigned>(rank));
  const std::int64_t mine = 3000 + 500 * rank;
  const std::int64_t first = mpi::exscan(mine, MPI_SUM, world);
  constexpr std::int64_t kOffset = 1000;
  Events events(static_cast<std::size_t>(2 * mine + 64));
  std::vector<ChunkResult> results;
  std::vector<std::size_t> starts;  // each chunk's first slot
  std::size_t slot = 0;
  for (std::int64_t g = first; g < first + mine;) {
    ChunkResult r;
    r.slots = events.data() + slot;
    starts.push_back(slot);
    r.events = std::min<std::int64_t>(first + mine - g, 1 + static_cast<std::int64_t>(rng() % 700));
    for (std::int64_t j = 0; j < r.events; ++j) r.slots[j] = event_of(g++, rank, rng);
    r.bad.push_back({rank, g, Reason::missing_field, "x"});
    slot += static_cast<std::size_t>(r.events) + 1 + rng() % 3;
    results.push_back(std::move(r));
  }
  events.resize(slot);
  std::vector<std::int64_t> bad_lines;
  for (const ChunkResult& r : results) bad_lines.push_back(r.bad[0].line + kOffset);
  SourceBlocks blocks;
  double mpi_seconds = 0;
  const KeyOwners owners = KeyOwners::build(events, MPI_COMM_WORLD);
  if (takes == 1) {
    route_chunks(events, 0, results, kOffset, owners, round_bytes, MPI_COMM_WORLD, blocks,
                 mpi_seconds);
  } else {
    Router router(events, 0, owners, round_bytes, MPI_COMM_WORLD, blocks, mpi_seconds);
    const std::size_t chunks = results.size();
    for (int t = 0; t < takes; ++t) {
      Events moved;
      moved.reserve(events.capacity() + 1024);
      std::move(events.begin(), events.end(), std::back_inserter(moved));
      events.swap(moved);
      std::vector<ChunkResult> group;
      for (std::size_t c = chunks * t / takes; c < chunks * (t + 1) / takes; ++c) {
        results[c].slots = events.data() + starts[c];
        group.push_back(std::move(results[c]));
      }
      router.take(group, kOffset);
      for (std::size_t c = chunks * t / takes, j = 0; j < group.size(); ++c, ++j)
        results[c] = std::move(group[j]);
    }
    router.finish();
  }
  for (std::size_t c = 0; c < results.size(); ++c) EXPECT_EQ(results[c].bad[0].line, bad_lines[c]);
  // Blocks cover the events; a block's events came from its source, in order.
  ASSERT_FALSE(blocks.end.empty());
  ASSERT_EQ(blocks.end.back(), events.size());
  std::map<std::int32_t, std::int64_t> last;
  std::size_t at = 0;
  for (std::size_t b = 0; b < blocks.end.size(); ++b)
    for (; at < blocks.end[b]; ++at) {
      const Event& e = events[at];
      EXPECT_EQ(e.file, blocks.source[b]);
      EXPECT_EQ(e.line, e.id + kOffset);
      EXPECT_EQ(e.time_us, e.id * 3);
      if (e.id % 5 == 0)
        EXPECT_EQ(e.counterparty, "counterparty on the heap " + std::to_string(e.id));
      else
        EXPECT_EQ(e.counterparty, "cp");
      auto [it, fresh] = last.try_emplace(e.file, e.id);
      if (!fresh) {
        EXPECT_LT(it->second, e.id) << "source " << e.file << " out of its input order";
        it->second = e.id;
      }
    }
  // Every event on exactly one rank, each key on one rank only.
  std::vector<std::int64_t> ids;
  for (const Event& e : events) ids.push_back(e.id);
  std::vector<std::int64_t> all = mpi::allgatherv(ids.data(), static_cast<int>(ids.size()), world);
  std::sort(all.begin(), all.end());
  const std::int64_t total = mpi::allreduce(mine, MPI_SUM, world);
  ASSERT_EQ(static_cast<std::int64_t>(all.size()), total);
  for (std::int64_t g = 0; g < total; ++g) ASSERT_EQ(all[static_cast<std::size_t>(g)], g);
  std::vector<int> owner(40, -1);
  for (const Event& e : events) {
    const std::string key(e.key.view());
    const int k = std::stoi(key.substr(key.find_first_of("0123456789")));
    owner[static_cast<std::size_t>(k)] = rank;
  }
  std::vector<int> count(40);
  for (std::size_t k = 0; k < 40; ++k) count[k] = owner[k] >= 0 ? 1 : 0;
  mpi::allreduce(count.data(), count.data(), 40, MPI_SUM, world);
  for (std::size_t k = 0; k < 40; ++k) EXPECT_LE(count[k], 1) << "key " << k << " on two ranks";
}

TEST(EventsRoute, EachKeyOnOneRankSourcesInOrderInOneRound) { expect_routed(64 << 20); }

TEST(EventsRoute, EachKeyOnOneRankSourcesInOrderInSmallRounds) {
  // 1 KiB rounds: many rounds, received events often find no free slot.
  expect_routed(1 << 10);
}

TEST(EventsRoute, ARouterTakingPiecesWhileTheArrayMovesRoutesTheSame) {
  expect_routed(64 << 20, 5);
  expect_routed(1 << 10, 7);
}

}  // namespace
}  // namespace weft::events
