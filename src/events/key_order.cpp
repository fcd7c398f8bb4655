// SPDX-License-Identifier: Apache-2.0
// sort_by_key(): events by (key, time, id) in place. Keys of at most 7 bytes
// go through a radix sort of 64-bit codes, longer ones through a comparison
// sort of small items; then the events move into place in cache-sized
// buckets (permute()). Tried on 2026-12-03 instead: packing the events and unpacking
// them in sorted order (no dependent loads) was not faster on the 2-vCPU
// guest (unpack 1.7-3.9 s of 2*10^7 events: random reads of a large array
// are slow there, prefetched or not) and needs the packed copy's memory,
// which is fresh memory there (0.3-0.6 GB/s at first touch).
#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <utility>

#include "exchange.hpp"

namespace weft::events {
namespace {

// Order is the sorted position's source index of each event.
using Order = HugePageVector<std::uint32_t>;

// TimeId is an event's order within its key, and where it is.
struct TimeId {
  std::int64_t time, id;
  std::uint32_t index;
};

// prefetch() asks for the cache lines of an event before it is moved.
void prefetch(const Event& e) {
  const char* p = reinterpret_cast<const char*>(&e);
  __builtin_prefetch(p);
  __builtin_prefetch(p + sizeof(Event) - 1);
}

// sort_by_time() sorts every run [b, e) of `order` (the events of one key)
// by (timestamp, event id); the times are gathered once, read ahead.
void sort_by_time(const Events& events, Order& order,
                  const std::vector<std::pair<std::size_t, std::size_t>>& runs) {
  constexpr std::size_t kAhead = 16;
  const std::size_t n = order.size();
  HugePageVector<TimeId> items(n);
  for (std::size_t p = 0; p < n; ++p) {
    if (p + kAhead < n) prefetch(events[order[p + kAhead]]);
    const Event& e = events[order[p]];
    items[p] = {e.time_us, e.id, order[p]};
  }
  for (const auto& [b, e] : runs)
    if (e - b > 1)
      std::sort(items.begin() + static_cast<std::ptrdiff_t>(b),
                items.begin() + static_cast<std::ptrdiff_t>(e),
                [](const TimeId& x, const TimeId& y) {
                  return x.time != y.time ? x.time < y.time : x.id < y.id;
                });
  for (std::size_t p = 0; p < n; ++p) order[p] = items[p].index;
}

// radix_order() is the order of events whose keys are at most 7 bytes:
// each key's bytes big-endian then its length make a 64-bit code in key
// byte order, sorted by a stable LSD radix sort (a byte every code shares
// costs nothing); then each key's run by time.
Order radix_order(const Events& events) {
  struct Coded {
    std::uint64_t code;
    std::uint32_t index;
  };
  const std::size_t n = events.size();
  HugePageVector<Coded> a(n), b(n);
  std::array<std::array<std::size_t, 256>, 8> count{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view k = events[i].key;
    std::uint64_t c = 0;
    for (std::size_t j = 0; j < 7; ++j)
      c = c << 8 | (j < k.size() ? static_cast<unsigned char>(k[j]) : 0U);
    c = c << 8 | k.size();
    a[i] = {c, static_cast<std::uint32_t>(i)};
    for (std::size_t d = 0; d < 8; ++d) ++count[d][(c >> (8 * d)) & 0xff];
  }
  for (std::size_t d = 0; d < 8; ++d) {
    auto& c = count[d];
    if (std::find(c.begin(), c.end(), n) != c.end()) continue;  // one digit: no change
    std::size_t sum = 0;
    for (std::size_t& v : c) sum += std::exchange(v, sum);
    const auto shift = static_cast<unsigned>(8 * d);
    for (const Coded& x : a) b[c[(x.code >> shift) & 0xff]++] = x;
    a.swap(b);
  }
  Order order(n);
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t p = 0; p < n; ++p) {
    order[p] = a[p].index;
    if (p == 0 || a[p].code != a[p - 1].code) runs.emplace_back(p, p);
    runs.back().second = p + 1;
  }
  // The codes' pages serve sort_by_time()'s items (huge_page_alloc keeps
  // them): the sort's peak is the larger of the two, not their sum.
  HugePageVector<Coded>().swap(a);
  HugePageVector<Coded>().swap(b);
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
// dependent random load per event) took 4.0 s. What is left is mostly the
// moves themselves: an Event swap is ~16 ns in cache (its two std::string
// members are not trivially relocatable).
void permute(Events& events, Order& order) {
  const std::size_t n = order.size();
  Order dest(n);  // dest[i]: the position of the event now at i
  for (std::size_t p = 0; p < n; ++p) dest[order[p]] = static_cast<std::uint32_t>(p);
  order = Order();
  distribute(events.data(), dest.data(), n);
}

}  // namespace

void sort_by_key(Events& events) {
  if (events.size() >= std::numeric_limits<std::uint32_t>::max())
    throw std::runtime_error("sort_by_key: more than 2^32 events on one rank");
  std::size_t longest = 0;
  for (const Event& e : events) longest = std::max(longest, e.key.size());
  Order order = longest <= 7 ? radix_order(events) : compare_order(events);
  permute(events, order);
}

}  // namespace weft::events
