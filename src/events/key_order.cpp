// SPDX-License-Identifier: Apache-2.0
// sort_by_key(): events by (key, time, id) in place. Keys of at most 7 bytes
// go through a radix sort of 64-bit codes, longer ones through a comparison
// sort of small items; then the events move once along the permutation's
// cycles. Tried on 2026-12-03 instead: packing the events and unpacking
// them in sorted order (no dependent loads) was not faster on the 2-vCPU
// guest (unpack 1.7-3.9 s of 2*10^7 events: every random read misses the
// TLB under the VM's nested paging) and needs the packed copy's memory,
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
    const std::string& k = events[i].key;
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
    const std::string& k = events[i].key;
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

// permute() puts the event at order[p] at position p: each event moves
// once, along the cycles of the permutation, in place (no second array).
// A cursor runs kAhead steps ahead on the cycle and prefetches the events
// to come, so the random reads overlap instead of waiting one by one.
void permute(Events& events, Order& order) {
  constexpr int kAhead = 8;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i] == i) continue;  // in place, or its cycle is done
    Event held = std::move(events[i]);
    std::size_t at = i, ahead = i;
    for (int k = 0; k < kAhead && order[ahead] != i; ++k) prefetch(events[ahead = order[ahead]]);
    while (order[at] != i) {
      const std::size_t from = order[at];
      if (order[ahead] != i) prefetch(events[ahead = order[ahead]]);
      events[at] = std::move(events[from]);
      order[at] = static_cast<std::uint32_t>(at);
      at = from;
    }
    events[at] = std::move(held);
    order[at] = static_cast<std::uint32_t>(at);
  }
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
