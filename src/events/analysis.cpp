// SPDX-License-Identifier: Apache-2.0
#include "analysis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <tuple>
#include <vector>

#include "exchange.hpp"
#include "weft/go/blocks.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/comm.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {

// minor_units() is a decimal of the base currency (a deck value such as
// 9000.00) in 10^-dp units, rounded to the nearest.
std::int64_t minor_units(double major, int dp) {
  double scale = 1;
  for (int i = 0; i < dp; ++i) scale *= 10;
  return std::llround(major * scale);
}

// distinct_counterparties() counts the different counterparties of e[0, n):
// a few by sorting, many in an open-addressing set of their key_hash()es
// (a busy key's millions of events name a few thousand parties: sorting
// them all was the aggregate stage's largest cost; a node-based
// std::unordered_set allocated a node a party).
std::int64_t distinct_counterparties(const Event* e, std::size_t n) {
  constexpr std::size_t kSortUpTo = 64;
  if (n <= kSortUpTo) {
    std::array<std::string_view, kSortUpTo> parties;
    for (std::size_t i = 0; i < n; ++i) parties[i] = e[i].counterparty;
    std::sort(parties.begin(), parties.begin() + static_cast<std::ptrdiff_t>(n));
    return std::unique(parties.begin(), parties.begin() + static_cast<std::ptrdiff_t>(n)) -
           parties.begin();
  }
  // Slot: a party's hash and text.
  struct Slot {
    std::uint64_t hash = 0;
    const char* p = nullptr;
    std::size_t size = 0;
    bool used = false;
  };
  std::size_t mask = 127;
  std::vector<Slot> table(mask + 1), grown;
  auto place = [](std::vector<Slot>& t, std::size_t m, const Slot& s) {
    std::size_t at = s.hash & m;
    while (t[at].used) at = (at + 1) & m;
    t[at] = s;
  };
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view v = e[i].counterparty;
    const std::uint64_t h = key_hash(v);
    std::size_t at = h & mask;
    for (; table[at].used; at = (at + 1) & mask) {
      const Slot& s = table[at];
      if (s.hash == h && s.size == v.size() && std::memcmp(s.p, v.data(), v.size()) == 0) break;
    }
    if (table[at].used) continue;  // seen
    table[at] = {h, v.data(), v.size(), true};
    if (2 * ++distinct > mask + 1) {  // half full: twice the slots
      grown.assign(2 * (mask + 1), Slot{});
      mask = 2 * mask + 1;
      for (const Slot& s : table)
        if (s.used) place(grown, mask, s);
      table.swap(grown);
    }
  }
  return static_cast<std::int64_t>(distinct);
}

KeyStats stats_of(const Event* e, std::size_t n, const Config& c) {
  KeyStats s;
  s.key = e[0].key;
  s.count = static_cast<std::int64_t>(n);
  s.first_time = e[0].time_us;
  s.last_time = e[n - 1].time_us;
  if (c.transactions()) {
    s.min_units = s.max_units = e[0].amount;
    for (std::size_t i = 0; i < n; ++i) {
      s.sum_units += e[i].amount;
      s.min_units = std::min(s.min_units, e[i].amount);
      s.max_units = std::max(s.max_units, e[i].amount);
    }
    s.distinct_counterparties = distinct_counterparties(e, n);
    s.mean = static_cast<double>(s.sum_units) / static_cast<double>(n);
  } else {
    s.min = s.max = e[0].value;
    for (std::size_t i = 0; i < n; ++i) {
      s.sum += e[i].value;
      s.min = std::min(s.min, e[i].value);
      s.max = std::max(s.max, e[i].value);
    }
    s.mean = s.sum / static_cast<double>(n);
  }
  s.stddev = std::numeric_limits<double>::quiet_NaN();  // undefined for one event
  if (n > 1) {
    const bool tx = c.transactions();
    double squares = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = x_of(e[i], tx) - s.mean;
      squares += d * d;
    }
    s.stddev = std::sqrt(squares / static_cast<double>(n - 1));
  }
  return s;
}

// window_flags() flags the bursts of the m events idx(0) .. idx(m - 1)
// (indices into e, in key order): the window of idx(i) holds the idx(j),
// j <= i, later than t_i - window_us; it is hot when it holds at least
// `least` events. Hot windows that share an event are merged (chains too):
// one flag lists every event of the merged windows, scored by the largest
// window. (`idx` is a function, not an array: for every event of a key it
// is the identity, and an array of 8 bytes an event for the busiest key was
// fresh memory.)
template <class Index>
void window_flags(const Event* e, std::size_t m, Index idx, std::int64_t window_us,
                  std::size_t least, const char* rule, std::vector<Flag>& out) {
  std::size_t j = 0;
  std::size_t lo = 0, hi = 0, score = 0;  // the open group: idx(lo) .. idx(hi)
  bool open = false;
  auto emit = [&] {
    Flag f{rule,
           e[idx(lo)].key.str(),
           {},
           static_cast<double>(score),
           e[idx(lo)].time_us,
           e[idx(hi)].time_us};
    for (std::size_t k = lo; k <= hi; ++k) f.events.push_back(e[idx(k)].id);
    out.push_back(std::move(f));
    open = false;
  };
  for (std::size_t i = 0; i < m; ++i) {
    const std::int64_t t = e[idx(i)].time_us;
    while (e[idx(j)].time_us <= t - window_us) ++j;
    const std::size_t size = i - j + 1;
    if (size < least) continue;
    if (open && j > hi) emit();
    if (!open) {
      open = true;
      lo = j;
      score = 0;
    }
    hi = i;
    score = std::max(score, size);
  }
  if (open) emit();
}

std::int64_t micros(double seconds) { return std::llround(seconds * 1e6); }

// in_band() says the event is a structuring band event: floor <= x <
// threshold, x and the limits in base minor units (transactions; exact) or
// the reading (sensors).
bool in_band(const Event& e, const Config& c, const StructuringRule& s) {
  if (!c.transactions()) return e.value >= s.floor && e.value < s.threshold;
  return e.amount >= minor_units(s.floor, c.decimals) &&
         e.amount < minor_units(s.threshold, c.decimals);
}

// detect_key() appends the flags of one key's events e[0, n), in (time,
// id) order: a flag's first and last times are its first and last event's.
void detect_key(const Event* e, std::size_t n, const Config& c, std::vector<Flag>& out) {
  const RulesConfig& r = c.rules;
  if (r.velocity.enabled) {
    window_flags(
        e, n, [](std::size_t i) { return i; }, micros(r.velocity.window),
        static_cast<std::size_t>(r.velocity.count) + 1, "velocity", out);
  }
  if (r.structuring.enabled) {
    const auto& s = r.structuring;
    std::vector<std::size_t> band;
    for (std::size_t i = 0; i < n; ++i)
      if (in_band(e[i], c, s)) band.push_back(i);
    window_flags(
        e, band.size(), [&](std::size_t i) { return band[i]; }, micros(s.window),
        static_cast<std::size_t>(s.count), "structuring", out);
  }
  if (r.zscore.enabled) {
    double mean = 0, m2 = 0;  // Welford over the events before i
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x_of(e[i], c.transactions());
      if (static_cast<std::int64_t>(i) >= r.zscore.min_history) {
        const double sd = std::sqrt(m2 / static_cast<double>(i - 1));
        if (sd > 0 && std::fabs(v - mean) > r.zscore.k * sd)
          out.push_back(
              {"zscore", e[i].key.str(), {e[i].id}, (v - mean) / sd, e[i].time_us, e[i].time_us});
      }
      const double d = v - mean;
      mean += d / static_cast<double>(i + 1);
      m2 += d * (v - mean);
    }
  }
  if (r.gap.enabled) {
    const std::int64_t g = micros(r.gap.seconds);
    for (std::size_t i = 1; i < n; ++i)
      if (e[i].time_us - e[i - 1].time_us > g)
        out.push_back({"gap",
                       e[i].key.str(),
                       {e[i - 1].id, e[i].id},
                       static_cast<double>(e[i].time_us - e[i - 1].time_us) / 1e6,
                       e[i - 1].time_us,
                       e[i].time_us});
  }
  if (r.stuck.enabled) {
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i + 1;
      while (j < n && e[j].value == e[i].value) ++j;
      if (static_cast<std::int64_t>(j - i) >= r.stuck.run) {
        Flag f{"stuck",      e[i].key.str(),  {}, static_cast<double>(j - i),
               e[i].time_us, e[j - 1].time_us};
        for (std::size_t k = i; k < j; ++k) f.events.push_back(e[k].id);
        out.push_back(std::move(f));
      }
      i = j;
    }
  }
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> key_ranges(const Events& events) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < events.size();) {
    std::size_t j = i + 1;
    while (j < events.size() && events[j].key == events[i].key) ++j;
    out.emplace_back(i, j);
    i = j;
  }
  return out;
}

std::vector<KeyStats> aggregate(const Events& events, const Config& c, go::Executor& exec) {
  const auto keys = key_ranges(events);
  std::vector<KeyStats> out(keys.size());
  exec.run([&] {
    go::parallel_blocks(
        exec.threads(), static_cast<std::int64_t>(keys.size()),
        [&](std::int64_t k, int) {
          const auto [b, e] = keys[static_cast<std::size_t>(k)];
          out[static_cast<std::size_t>(k)] = stats_of(&events[b], e - b, c);
        },
        "aggregate");
  });
  return out;
}

std::vector<DayRow> per_day(const Events& events, bool units_only, std::int64_t round_bytes,
                            MPI_Comm comm, double& mpi_seconds) {
  const mpi::Comm world(comm);
  const int size = world.size();
  const auto keys = key_ranges(events);
  // A key's events are in time order: its first and last days bound its days.
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const auto& [b, e] : keys) {
    first = std::min(first, day_of(events[b].time_us));
    last = std::max(last, day_of(events[e - 1].time_us));
  }
  first = mpi::allreduce(first, MPI_MIN, world);
  last = mpi::allreduce(last, MPI_MAX, world);
  const std::int64_t days = std::max<std::int64_t>(1, last - first + 1);
  auto owner_of_day = [&](std::int64_t day) {
    return static_cast<std::size_t>((day - first) * size / days);
  };
  if (units_only && days <= kDenseDays) {
    // Integer sums are exact in any order: a count and a sum of units a
    // day, added over the ranks by one allreduce.
    std::vector<std::int64_t> sums(2 * static_cast<std::size_t>(days));
    for (const Event& e : events) {
      const auto d = static_cast<std::size_t>(day_of(e.time_us) - first);
      ++sums[2 * d];
      sums[2 * d + 1] += e.amount;
    }
    const double t0 = mpi::wtime();
    mpi::allreduce(sums.data(), sums.data(), static_cast<int>(sums.size()), MPI_SUM, world);
    mpi_seconds += mpi::wtime() - t0;
    std::vector<DayRow> rows;
    for (std::int64_t d = 0; d < days; ++d) {
      const auto i = static_cast<std::size_t>(d);
      if (sums[2 * i] != 0 && owner_of_day(first + d) == static_cast<std::size_t>(world.rank()))
        rows.push_back({first + d, sums[2 * i], sums[2 * i + 1], 0});
    }
    return rows;
  }
  std::vector<Packer> out(static_cast<std::size_t>(size));
  for (const auto& [b, e] : keys) {
    // A key's events are in time order: its days are runs.
    for (std::size_t i = b; i < e;) {
      const std::int64_t day = day_of(events[i].time_us);
      std::int64_t count = 0, units = 0;
      double sum = 0;
      for (; i < e && day_of(events[i].time_us) == day; ++i) {
        ++count;
        if (units_only)
          units += events[i].amount;
        else
          sum += events[i].value;
      }
      Packer& p = out[owner_of_day(day)];
      p.put(day);
      p.put(count);
      p.put(units);
      p.put(sum);
      p.put_string(events[b].key);
    }
  }
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  struct Part {
    std::int64_t day, count, units;
    double sum;
    std::string_view key;  // into `in`
    std::size_t from;      // the source rank
  };
  // Each source's parts are in key order (its keys' days ascending): a
  // stable sort by day leaves them in key order within a day, and the
  // sources' runs of a day (other keys: ranks own disjoint keys) merge.
  HugePageVector<Part> parts;
  std::size_t most = 0;  // a part is at least 36 bytes in a stream
  for (const auto& s : in) most += s.size() / (4 * sizeof(std::int64_t) + sizeof(std::uint32_t));
  parts.reserve(most);
  for (std::size_t r = 0; r < in.size(); ++r) {
    Unpacker u{in[r]};
    while (!u.done()) {
      Part p;
      p.day = u.get<std::int64_t>();
      p.count = u.get<std::int64_t>();
      p.units = u.get<std::int64_t>();
      p.sum = u.get<double>();
      p.key = u.get_view();
      p.from = r;
      parts.push_back(p);
    }
  }
  std::stable_sort(parts.begin(), parts.end(),
                   [](const Part& x, const Part& y) { return x.day < y.day; });
  const auto at = [&](std::size_t i) { return parts.begin() + static_cast<std::ptrdiff_t>(i); };
  const auto by_key = [](const Part& x, const Part& y) { return x.key < y.key; };
  for (std::size_t b = 0; b < parts.size();) {  // a day: merge its sources' runs
    std::size_t e = b, run = b;
    for (; e < parts.size() && parts[e].day == parts[b].day; ++e)
      if (parts[e].from != parts[run].from) {
        std::inplace_merge(at(b), at(run), at(e), by_key);
        run = e;
      }
    std::inplace_merge(at(b), at(run), at(e), by_key);
    b = e;
  }
  std::vector<DayRow> rows;
  for (const Part& p : parts) {
    if (rows.empty() || rows.back().day != p.day) rows.push_back({p.day, 0, 0, 0});
    rows.back().count += p.count;
    rows.back().sum_units += p.units;
    rows.back().sum += p.sum;
  }
  return rows;
}

std::vector<Flag> detect(const Events& events, const Config& c, go::Executor& exec) {
  const auto keys = key_ranges(events);
  std::vector<std::vector<Flag>> per_key(keys.size());
  exec.run([&] {
    go::parallel_blocks(
        exec.threads(), static_cast<std::int64_t>(keys.size()),
        [&](std::int64_t k, int) {
          const auto [b, e] = keys[static_cast<std::size_t>(k)];
          detect_key(&events[b], e - b, c, per_key[static_cast<std::size_t>(k)]);
        },
        "detect");
  });
  std::vector<Flag> out;
  for (auto& f : per_key) std::move(f.begin(), f.end(), std::back_inserter(out));
  for (Flag& f : out) std::sort(f.events.begin(), f.events.end());
  return out;
}

bool flag_order(const Flag& a, const Flag& b) {
  return std::tie(a.rule, a.key, a.events.front(), a.events) <
         std::tie(b.rule, b.key, b.events.front(), b.events);
}

}  // namespace weft::events
