// SPDX-License-Identifier: Apache-2.0
#include "exchange.hpp"

#include <algorithm>
#include <tuple>

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

void sort_by_key(Events& events) {
  // Sorting small records (the key's first 8 bytes big-endian, time, id,
  // index) and moving each event once beats sorting the events.
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
  // Position p takes the event at items[p].index: each event moves once,
  // along the cycles of that permutation, in place (no second array).
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].index == i) continue;  // in place, or its cycle is done
    Event held = std::move(events[i]);
    std::size_t at = i;
    while (items[at].index != i) {
      const std::size_t from = items[at].index;
      events[at] = std::move(events[from]);
      items[at].index = static_cast<std::uint32_t>(at);
      at = from;
    }
    events[at] = std::move(held);
    items[at].index = static_cast<std::uint32_t>(at);
  }
}

}  // namespace weft::events
