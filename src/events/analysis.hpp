// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model.hpp"
#include "weft/events/config.hpp"
#include "weft/go/executor.hpp"

// Stages 3 and 4 of the pipeline on a rank's events after the shuffle (all
// events of each of its keys, sorted by (key, timestamp, event id)): per-key
// and per-day aggregates, and the detection rules. Every floating result
// is computed in the order of the key's events, so it does not depend on
// the number of ranks or threads.
namespace weft::events {

// KeyStats is the aggregate row of one key (docs/events-data.md, "Aggregates").
// Transactions: sums, minima and maxima in 10^-dp base units (`units`),
// mean and stddev of those units as doubles; sensors: the doubles. stddev
// is the sample one (n - 1), NaN for a single event.
struct KeyStats {
  std::string key;
  std::int64_t count = 0;
  std::int64_t sum_units = 0, min_units = 0, max_units = 0;
  double sum = 0, mean = 0, stddev = 0, min = 0, max = 0;
  std::int64_t first_time = 0, last_time = 0;  // microseconds since the epoch
  std::int64_t distinct_counterparties = 0;
};

// DayRow is one UTC day over all keys (on the rank that owns the day).
struct DayRow {
  std::int64_t day = 0;  // days since 1970-01-01
  std::int64_t count = 0;
  std::int64_t sum_units = 0;  // transactions
  double sum = 0;              // sensors: the sum of the readings
};

// Flag is one detection: the rule, the key, the events (ids ascending)
// and the score.
struct Flag {
  std::string rule;
  std::string key;
  std::vector<std::int64_t> events;
  double score = 0;
  std::int64_t first_time_us = 0, last_time_us = 0;  // of its earliest and latest event
};

// key_ranges() are the [begin, end) index ranges of each key of `events`.
std::vector<std::pair<std::size_t, std::size_t>> key_ranges(const Events& events);

// aggregate() is the aggregate row of every key, in key order.
std::vector<KeyStats> aggregate(const Events& events, const Config& c, go::Executor& exec);

// per_day() is the per-day table. The ranks own equal blocks of
// consecutive days (of the days from the first event's to the last one's
// over all ranks), so rank order is day order. With `units_only`
// (transactions: a day's sum is of integer units, exact in any order; its
// floating `sum` stays 0) and at most kDenseDays days, each rank counts
// its events into an array of days, summed by one allreduce. Otherwise
// (sensors: a day's floating sum must be taken in one order on any number
// of ranks) partial sums of each (day, key), taken in key order, go to the
// day's owner rank, which adds them in (day, key) order. Collective over
// `comm`; this rank's days, sorted.
inline constexpr std::int64_t kDenseDays = 65536;  // 179 years
std::vector<DayRow> per_day(const Events& events, bool units_only, std::int64_t round_bytes,
                            MPI_Comm comm, double& mpi_seconds);

// detect() runs every enabled rule over every key; flags in key order.
// velocity and structuring give one flag per merged group of hot windows.
std::vector<Flag> detect(const Events& events, const Config& c, go::Executor& exec);

// flag_order() orders flags by rule, key and smallest event id (then the
// other ids: two gap flags of a key may share their smallest id).
bool flag_order(const Flag& a, const Flag& b);

}  // namespace weft::events
