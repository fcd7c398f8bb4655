// SPDX-License-Identifier: Apache-2.0
// sort_by_key(): events by (key, time, id) in place. Keys of at most 7 bytes
// go by dense numbers of their 64-bit codes, longer ones through a comparison
// sort of small items; then the events move into place in cache-sized
// buckets (permute()). Tried on 2026-12-03 instead: packing the events and unpacking
// them in sorted order (no dependent loads) was not faster on the 2-vCPU
// guest (unpack 1.7-3.9 s of 2*10^7 events: random reads of a large array
// are slow there, prefetched or not) and needs the packed copy's memory,
// which is fresh memory there (0.3-0.6 GB/s at first touch).
#include <algorithm>
#include <array>
#include <limits>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "exchange.hpp"
#include "weft/core/mix64.hpp"

namespace weft::events {
namespace {

// Order is the sorted position's source index of each event.
using Order = HugePageVector<std::uint32_t>;

// TimeId is an event's time and where it is (16 bytes: its id, the
// tie-breaker, is read from the event on equal times only).
struct TimeId {
  std::int64_t time;
  std::uint32_t index;
};

// prefetch() asks for the cache lines of an event before it is moved.
void prefetch(const Event& e) {
  const char* p = reinterpret_cast<const char*>(&e);
  __builtin_prefetch(p);
  __builtin_prefetch(p + sizeof(Event) - 1);
}

// sort_by_time() sorts every run [b, e) of `order` (the events of one key)
// by (timestamp, event id): each run's times are gathered (read ahead) into
// a buffer the size of the longest run, checked for order and sorted only
// when out of order (events mostly arrive by time: exports are in time
// order, and the key sort keeps the input's order within a key).
void sort_by_time(const Events& events, Order& order,
                  const std::vector<std::pair<std::size_t, std::size_t>>& runs) {
  constexpr std::size_t kAhead = 16;
  std::size_t longest = 0;
  for (const auto& [b, e] : runs) longest = std::max(longest, e - b);
  HugePageVector<TimeId> items(longest);
  const auto before = [&](const TimeId& x, const TimeId& y) {
    return x.time != y.time ? x.time < y.time : events[x.index].id < events[y.index].id;
  };
  for (const auto& [b, e] : runs) {
    if (e - b < 2) continue;
    for (std::size_t p = b; p < e; ++p) {
      if (p + kAhead < order.size()) prefetch(events[order[p + kAhead]]);
      items[p - b] = {events[order[p]].time_us, order[p]};
    }
    const auto first = items.begin(), last = items.begin() + static_cast<std::ptrdiff_t>(e - b);
    if (std::is_sorted(first, last, before)) continue;
    std::sort(first, last, before);
    for (std::size_t p = b; p < e; ++p) order[p] = items[p - b].index;
  }
}

// code_of() is a key of at most 7 bytes as a 64-bit code in key byte
// order: its bytes big-endian, then its length.
std::uint64_t code_of(std::string_view k) {
  std::uint64_t c = 0;
  for (std::size_t j = 0; j < 7; ++j)
    c = c << 8 | (j < k.size() ? static_cast<unsigned char>(k[j]) : 0U);
  return c << 8 | k.size();
}

// code_order() is the order of events whose keys are at most 7 bytes. Each
// distinct key's code gets a dense number in an open-addressing table (a
// workload's keys are few against its events: the table stays in cache);
// the numbers are ranked by code, and one counting pass places every event
// after the keys before its own. Then each key's run by time. 8 bytes an
// event (an LSD radix sort of the codes took 32 and a pass per byte that
// differs: 6 for the benchmark's keys).
Order code_order(const Events& events, std::span<const std::int32_t> source) {
  constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no code: a length is at most 7
  struct Slot {
    std::uint64_t code = kEmpty;
    std::uint32_t number = 0;
  };
  const std::size_t n = events.size();
  std::vector<Slot> table(1024);
  std::vector<std::uint64_t> codes;  // codes[k]: key number k's code
  HugePageVector<std::uint32_t> number(n);
  auto slot_of = [&](std::uint64_t c) -> Slot& {
    const std::size_t mask = table.size() - 1;
    for (std::size_t h = mix64(c) & mask;; h = (h + 1) & mask)
      if (table[h].code == c || table[h].code == kEmpty) return table[h];
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t c = code_of(events[i].key);
    Slot* s = &slot_of(c);
    if (s->code == kEmpty) {
      if (2 * (codes.size() + 1) > table.size()) {  // grow: at most half full
        std::vector<Slot> old(table.size() * 2);
        old.swap(table);
        for (const Slot& o : old)
          if (o.code != kEmpty) slot_of(o.code) = o;
        s = &slot_of(c);
      }
      *s = {c, static_cast<std::uint32_t>(codes.size())};
      codes.push_back(c);
    }
    number[i] = s->number;
  }
  // Each (key, source) pair's events are counted and placed together: a
  // key's events source by source (where the key and source counters
  // would outnumber the events, sources are not told apart: the order is
  // the same, only the time sort may have more to do).
  std::size_t sources = 1;
  if (!source.empty())
    sources = static_cast<std::size_t>(*std::max_element(source.begin(), source.end())) + 1;
  if (codes.size() * sources > std::max<std::size_t>(n, 1 << 16)) sources = 1;
  // each_slot(f) calls f(i, counter of event i), the loop made once per case.
  auto each_slot = [&](auto&& f) {
    if (sources == 1)
      for (std::size_t i = 0; i < n; ++i) f(i, std::size_t{number[i]});
    else
      for (std::size_t i = 0; i < n; ++i)
        f(i, number[i] * sources + static_cast<std::size_t>(source[i]));
  };
  std::vector<std::uint32_t> by_code(codes.size());
  for (std::size_t k = 0; k < by_code.size(); ++k) by_code[k] = static_cast<std::uint32_t>(k);
  std::sort(by_code.begin(), by_code.end(),
            [&](std::uint32_t x, std::uint32_t y) { return codes[x] < codes[y]; });
  // start[k * sources + s]: the first position of key number k's events from source s.
  std::vector<std::size_t> start(codes.size() * sources);
  each_slot([&](std::size_t, std::size_t c) { ++start[c]; });
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t at = 0;
  for (const std::uint32_t k : by_code) {
    const std::size_t first = at;
    for (std::size_t s = 0; s < sources; ++s) {
      const std::size_t c = start[k * sources + s];
      start[k * sources + s] = at;
      at += c;
    }
    runs.emplace_back(first, at);
  }
  Order order(n);
  each_slot(
      [&](std::size_t i, std::size_t c) { order[start[c]++] = static_cast<std::uint32_t>(i); });
  HugePageVector<std::uint32_t>().swap(number);
  sort_by_time(events, order, runs);
  return order;
}

// compare_order() is the order of any keys: small records (the key's
// first 8 bytes big-endian, time, id, index) sorted by comparison.
Order compare_order(const Events& events) {
  struct Item {
    std::uint64_t prefix;
    std::int64_t time, id;
    std::uint32_t index, length;  // length: of the key, capped at 9
  };
  HugePageVector<Item> items(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::uint64_t p = 0;
    const std::string_view k = events[i].key;
    for (std::size_t b = 0; b < 8; ++b)
      p = p << 8 | (b < k.size() ? static_cast<unsigned char>(k[b]) : 0U);
    items[i] = {p, events[i].time_us, events[i].id, static_cast<std::uint32_t>(i),
                static_cast<std::uint32_t>(std::min<std::size_t>(k.size(), 9))};
  }
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    // Equal prefixes and one key of <= 8 bytes: it is a prefix of the other.
    if (a.length != b.length) return a.length < b.length;
    if (a.length > 8) {  // both longer than the prefix
      const int c = events[a.index].key.compare(events[b.index].key);
      if (c != 0) return c < 0;
    }
    return a.time != b.time ? a.time < b.time : a.id < b.id;
  });
  Order order(items.size());
  for (std::size_t p = 0; p < items.size(); ++p) order[p] = items[p].index;
  return order;
}

// place() puts each event i of [0, n) at position dest[i] of [0, n), in
// place, by swaps along the permutation's cycles (each swap settles one
// event). For ranges small enough to stay in cache.
void place(Event* events, std::uint32_t* dest, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    while (dest[i] != i) {
      const std::uint32_t d = dest[i];
      std::swap(events[i], events[d]);
      std::swap(dest[i], dest[d]);
    }
}

// distribute() puts each event i of [0, n) at position dest[i] of [0, n)
// (positions relative to `events`), in place: small ranges by place(),
// larger ones first swapped into their buckets (up to 256 equal ranges of
// positions: a cursor per bucket moving forward, the events ahead of each
// cursor read ahead), then each bucket in turn, so that the random moves
// happen within ranges that stay in cache.
void distribute(Event* events, std::uint32_t* dest, std::size_t n) {
  constexpr std::size_t kLeaf = 4096, kMaxBuckets = 256, kAhead = 4;
  if (n <= kLeaf) {
    place(events, dest, n);
    return;
  }
  const std::size_t buckets = std::min(kMaxBuckets, (n + kLeaf - 1) / kLeaf);
  const std::size_t width = (n + buckets - 1) / buckets;  // positions per bucket
  std::array<std::size_t, kMaxBuckets + 1> begin{};
  for (std::size_t b = 0; b <= buckets; ++b) begin[b] = std::min(n, b * width);
  std::array<std::size_t, kMaxBuckets> head{};  // every position before head[b] holds one of b's
  std::copy(begin.begin(), begin.begin() + static_cast<std::ptrdiff_t>(buckets), head.begin());
  auto bucket = [&](std::size_t i) { return dest[i] / width; };
  auto ahead = [&](std::size_t i) {
    if (i + kAhead < n) {
      prefetch(events[i + kAhead]);
      __builtin_prefetch(dest + i + kAhead);
    }
  };
  for (std::size_t b = 0; b < buckets; ++b)
    while (head[b] < begin[b + 1]) {
      const std::size_t i = head[b], t = bucket(i);
      if (t == b) {
        ahead(++head[b]);
        continue;
      }
      while (bucket(head[t]) == t) ++head[t];  // already where it belongs
      std::swap(events[i], events[head[t]]);
      std::swap(dest[i], dest[head[t]]);
      ahead(++head[t]);
    }
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t lo = begin[b], hi = begin[b + 1];
    for (std::size_t i = lo; i < hi; ++i) dest[i] -= static_cast<std::uint32_t>(lo);
    distribute(events + lo, dest + lo, hi - lo);
  }
}

// permute() puts the event at order[p] at position p, in place (no second
// array), by distribute(): 2.7 s for 2*10^7 events on the 2-vCPU guest,
// where walking the permutation's cycles over the whole array (one
// dependent random load per event) took 4.0 s. An Event moves as a copy of
// its 64 bytes (its texts are SmallText; with std::string a swap was ~16 ns).
void permute(Events& events, Order& order) {
  const std::size_t n = order.size();
  Order dest(n);  // dest[i]: the position of the event now at i
  for (std::size_t p = 0; p < n; ++p) dest[order[p]] = static_cast<std::uint32_t>(p);
  order = Order();
  distribute(events.data(), dest.data(), n);
}

}  // namespace

void sort_by_key(Events& events, std::span<const std::int32_t> source) {
  if (!source.empty() && source.size() != events.size())
    throw std::logic_error("sort_by_key: one source rank an event");
  if (events.size() >= std::numeric_limits<std::uint32_t>::max())
    throw std::runtime_error("sort_by_key: more than 2^32 events on one rank");
  std::size_t longest = 0;
  for (const Event& e : events) longest = std::max(longest, e.key.size());
  Order order = longest <= 7 ? code_order(events, source) : compare_order(events);
  permute(events, order);
}

}  // namespace weft::events
