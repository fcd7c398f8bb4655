// SPDX-License-Identifier: Apache-2.0
// The per-day table (per_day()) over the ranks of MPI_COMM_WORLD, each rank
// holding its own keys' events in (key, time) order as after the key
// shuffle: every day's count and sum of units equal a direct count of all
// ranks' events, with day arrays (transactions over 30 days), with (day,
// key) parts (transactions over 200 years, beyond kDenseDays) and for
// sensors; the rows' days ascend over the ranks in rank order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "analysis.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::events {
namespace {

constexpr std::int64_t kDayUs = std::int64_t{86400} * 1000000;

// rank_events() is this rank's events: 50 keys of its own, each with up to
// 300 events at random times of `span_days` days from 2024-01-01 (1970 +
// 19723 days) backwards by half of it, in (key, time) order. Their numbers
// are integers: transactions' amounts or (`units`: false) sensors' values,
// whose sums are exact in any order.
Events rank_events(int rank, std::int64_t span_days, bool units, std::mt19937_64& rng) {
  Events out;
  const std::int64_t start = (19723 - span_days / 2) * kDayUs;
  for (int k = 0; k < 50; ++k) {
    std::vector<std::int64_t> times(rng() % 300);
    for (auto& t : times) t = start + static_cast<std::int64_t>(rng() % (span_days * kDayUs));
    std::sort(times.begin(), times.end());
    for (const std::int64_t t : times) {
      Event e;
      e.key = "r" + std::to_string(rank) + "k" + std::to_string(k);
      e.time_us = t;
      const std::int64_t x = static_cast<std::int64_t>(rng() % 200001) - 100000;
      if (units)
        e.amount = x;
      else
        e.value = static_cast<double>(x);
      out.push_back(e);
    }
  }
  return out;
}

// floor_day() is the UTC day of a time in microseconds since 1970.
std::int64_t floor_day(std::int64_t t) {
  return t >= 0 ? t / kDayUs : -((-t + kDayUs - 1) / kDayUs);
}

void expect_days(std::int64_t span_days, bool units_only) {
  const mpi::Comm world(MPI_COMM_WORLD);
  std::mt19937_64 rng(1234 + static_cast<unsigned>(world.rank()));
  const Events events = rank_events(world.rank(), span_days, units_only, rng);
  // The direct count of every rank's events, day by day.
  std::vector<std::int64_t> mine;
  for (const Event& e : events) {
    mine.push_back(floor_day(e.time_us));
    mine.push_back(units_only ? e.amount : static_cast<std::int64_t>(e.value));
  }
  const std::vector<std::int64_t> all =
      mpi::allgatherv(mine.data(), static_cast<int>(mine.size()), world);
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> expected;
  for (std::size_t i = 0; i < all.size(); i += 2) {
    ++expected[all[i]].first;
    expected[all[i]].second += all[i + 1];
  }
  double mpi_seconds = 0;
  const std::vector<DayRow> rows =
      per_day(events, units_only, 1 << 12, MPI_COMM_WORLD, mpi_seconds);
  std::vector<std::int64_t> flat;
  for (const DayRow& r : rows) {
    flat.push_back(r.day);
    flat.push_back(r.count);
    // Transactions: the units, exact; sensors: the floating sum of integers, exact too.
    flat.push_back(units_only ? r.sum_units : static_cast<std::int64_t>(r.sum));
    if (units_only) {
      EXPECT_EQ(r.sum, 0.0) << "day " << r.day;
    } else {
      EXPECT_EQ(r.sum, std::trunc(r.sum)) << "day " << r.day;
    }
  }
  const std::vector<std::int64_t> got =
      mpi::allgatherv(flat.data(), static_cast<int>(flat.size()), world);  // rank order
  ASSERT_EQ(got.size(), 3 * expected.size());
  auto it = expected.begin();
  for (std::size_t i = 0; i < got.size(); i += 3, ++it) {
    EXPECT_EQ(got[i], it->first) << "the rows' days in rank order ascend";
    EXPECT_EQ(got[i + 1], it->second.first) << "count of day " << it->first;
    EXPECT_EQ(got[i + 2], it->second.second) << "sum of day " << it->first;
  }
}

TEST(EventsPerDay, TransactionsOverAMonthByDayArrays) { expect_days(30, true); }
TEST(EventsPerDay, TransactionsOverTwoCenturiesByParts) {
  ASSERT_GT(200 * 366, kDenseDays);
  expect_days(200 * 366, true);
}
TEST(EventsPerDay, SensorsByParts) { expect_days(30, false); }

}  // namespace
}  // namespace weft::events
