// SPDX-License-Identifier: Apache-2.0
#include "exchange.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>
#include <utility>

#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {

std::vector<Bytes> exchange(std::vector<Bytes> out, std::int64_t round_bytes, MPI_Comm comm,
                            double& mpi_seconds) {
  const mpi::Comm world(comm);
  const int size = world.size();
  const auto n = static_cast<std::size_t>(size);
  const auto self = static_cast<std::size_t>(world.rank());
  std::vector<Bytes> in(n);
  in[self] = std::move(out[self]);
  out[self].clear();
  std::int64_t most = 0;
  for (const auto& s : out) most = std::max(most, static_cast<std::int64_t>(s.size()));
  const double t0 = mpi::wtime();
  const std::int64_t rounds =
      mpi::allreduce((most + round_bytes - 1) / round_bytes, MPI_MAX, world);
  std::vector<int> send_counts(n), send_displs(n), recv_counts(n), recv_displs(n);
  Bytes send, recv;
  for (std::int64_t round = 0; round < rounds; ++round) {
    send.clear();
    for (std::size_t r = 0; r < n; ++r) {
      const std::int64_t from = std::min<std::int64_t>(round * round_bytes, out[r].size());
      const std::int64_t len = std::min<std::int64_t>(round_bytes, out[r].size() - from);
      send_displs[r] = static_cast<int>(send.size());
      send_counts[r] = static_cast<int>(len);
      send.append(out[r], static_cast<std::size_t>(from), static_cast<std::size_t>(len));
    }
    mpi::alltoall(send_counts.data(), recv_counts.data(), 1, world);
    int total = 0;
    for (std::size_t r = 0; r < n; ++r) {
      recv_displs[r] = total;
      total += recv_counts[r];
    }
    recv.resize(static_cast<std::size_t>(total));
    mpi::alltoallv(send.data(), send_counts.data(), send_displs.data(), recv.data(),
                   recv_counts.data(), recv_displs.data(), MPI_BYTE, world);
    for (std::size_t r = 0; r < n; ++r)
      if (r != self)
        in[r].append(recv, static_cast<std::size_t>(recv_displs[r]),
                     static_cast<std::size_t>(recv_counts[r]));
  }
  mpi_seconds += mpi::wtime() - t0;
  return in;
}

std::vector<Bytes> streams(std::vector<Packer>& packers) {
  std::vector<Bytes> out;
  out.reserve(packers.size());
  for (auto& p : packers) out.push_back(std::move(p.bytes));
  return out;
}

int owner_of_key(std::string_view key, int ranks) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % static_cast<std::uint64_t>(ranks));
}

int owner_of_id(std::int64_t id, int ranks) {
  std::uint64_t z = static_cast<std::uint64_t>(id) + 0x9e3779b97f4a7c15ull;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<int>((z ^ (z >> 31)) % static_cast<std::uint64_t>(ranks));
}

void pack_event(Packer& p, const Event& e) {
  p.put(e.id);
  p.put(e.time_us);
  p.put(e.amount);
  p.put(e.value);
  p.put(e.line);
  p.put(e.file);
  p.put(e.currency);
  p.put_string(e.key);
  p.put_string(e.counterparty);
}

Event unpack_event(Unpacker& u) {
  Event e;
  e.id = u.get<std::int64_t>();
  e.time_us = u.get<std::int64_t>();
  e.amount = u.get<std::int64_t>();
  e.value = u.get<double>();
  e.line = u.get<std::int64_t>();
  e.file = u.get<std::int32_t>();
  e.currency = u.get<std::int32_t>();
  e.key = u.get_string();
  e.counterparty = u.get_string();
  return e;
}

void remove_duplicates(Events& events, std::vector<BadRow>& bad, std::int64_t round_bytes,
                       MPI_Comm comm, double& mpi_seconds) {
  const int size = mpi::Comm(comm).size();
  // (id, file, line) of every event to the id's owner...
  constexpr std::size_t kRecord = sizeof(std::int64_t) * 2 + sizeof(std::int32_t);
  std::vector<Packer> out(static_cast<std::size_t>(size));
  for (auto& p : out)
    p.bytes.reserve(events.size() * kRecord / static_cast<std::size_t>(size) * 5 / 4);
  for (const Event& e : events) {
    Packer& p = out[static_cast<std::size_t>(owner_of_id(e.id, size))];
    p.put(e.id);
    p.put(e.file);
    p.put(e.line);
  }
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  struct Seen {
    std::int64_t id;
    std::int32_t file;
    std::int64_t line;
    int from;
  };
  HugePageVector<Seen> seen;
  std::size_t records = 0;
  for (const auto& s : in) records += s.size() / kRecord;
  seen.reserve(records);
  for (int r = 0; r < size; ++r) {
    Unpacker u{in[static_cast<std::size_t>(r)]};
    while (!u.done()) {
      Seen s;
      s.id = u.get<std::int64_t>();
      s.file = u.get<std::int32_t>();
      s.line = u.get<std::int64_t>();
      s.from = r;
      seen.push_back(s);
    }
  }
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) {
    return std::tie(a.id, a.file, a.line) < std::tie(b.id, b.file, b.line);
  });
  // ...which sends back the (file, line) of every later occurrence.
  std::vector<Packer> back(static_cast<std::size_t>(size));
  for (std::size_t i = 1; i < seen.size(); ++i)
    if (seen[i].id == seen[i - 1].id) {
      Packer& p = back[static_cast<std::size_t>(seen[i].from)];
      p.put(seen[i].file);
      p.put(seen[i].line);
    }
  const auto dups = exchange(streams(back), round_bytes, comm, mpi_seconds);
  std::vector<std::pair<std::int32_t, std::int64_t>> later;
  for (const auto& s : dups) {
    Unpacker u{s};
    while (!u.done()) {
      const auto file = u.get<std::int32_t>();
      later.emplace_back(file, u.get<std::int64_t>());
    }
  }
  if (later.empty()) return;
  std::sort(later.begin(), later.end());
  // The kept events move down in place (no second array).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    if (std::binary_search(later.begin(), later.end(), std::make_pair(e.file, e.line)))
      bad.push_back({e.file, e.line, Reason::duplicate_event_id,
                     "event_id " + std::to_string(e.id) + " seen on an earlier line"});
    else if (kept++ != i)
      events[kept - 1] = std::move(e);
  }
  events.erase(events.begin() + static_cast<std::ptrdiff_t>(kept), events.end());
}

Events shuffle_by_key(Events events, std::int64_t round_bytes, MPI_Comm comm, double& mpi_seconds) {
  const mpi::Comm world(comm);
  const int size = world.size(), rank = world.rank();
  if (size == 1) {
    sort_by_key(events);
    return events;
  }
  // The events that stay here move down in place; the others are packed.
  std::vector<Packer> out(static_cast<std::size_t>(size));
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    const int to = owner_of_key(e.key, size);
    if (to == rank) {
      if (kept++ != i) events[kept - 1] = std::move(e);
    } else {
      pack_event(out[static_cast<std::size_t>(to)], e);
    }
  }
  events.erase(events.begin() + static_cast<std::ptrdiff_t>(kept), events.end());
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  // An event packs into at least its fixed fields and two lengths.
  constexpr std::size_t kLeast = 5 * sizeof(std::int64_t) + 4 * sizeof(std::int32_t);
  std::size_t most = events.size();
  for (const auto& s : in) most += s.size() / kLeast;
  events.reserve(most);
  for (const auto& s : in) {
    Unpacker u{s};
    while (!u.done()) events.push_back(unpack_event(u));
  }
  sort_by_key(events);
  return events;
}

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
