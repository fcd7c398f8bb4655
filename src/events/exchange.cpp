// SPDX-License-Identifier: Apache-2.0
#include "exchange.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>
#include <utility>

#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {
// kExchangeTag marks exchange()'s messages.
constexpr int kExchangeTag = 4242;
}  // namespace

std::vector<Bytes> exchange(std::vector<Bytes> out, std::int64_t round_bytes, MPI_Comm comm,
                            double& mpi_seconds) {
  const mpi::Comm world(comm);
  const auto n = static_cast<std::size_t>(world.size());
  const auto self = static_cast<std::size_t>(world.rank());
  std::vector<Bytes> in(n);
  in[self] = std::move(out[self]);
  out[self].clear();
  const double t0 = mpi::wtime();
  std::vector<std::int64_t> send(n), recv(n);
  for (std::size_t r = 0; r < n; ++r) send[r] = static_cast<std::int64_t>(out[r].size());
  mpi::alltoall(send.data(), recv.data(), 1, world);
  recv[self] = 0;
  for (std::size_t r = 0; r < n; ++r)
    if (r != self) in[r].resize(static_cast<std::size_t>(recv[r]));
  // Round k moves bytes [k * round_bytes, (k + 1) * round_bytes) of every
  // stream, straight from the sender's stream into the receiver's.
  std::vector<MPI_Request> requests;
  for (std::int64_t from = 0;; from += round_bytes) {
    requests.clear();
    for (std::size_t r = 0; r < n; ++r) {
      const auto peer = static_cast<int>(r);
      if (r == self) continue;
      if (from < recv[r])
        requests.push_back(mpi::irecv(in[r].data() + from,
                                      static_cast<int>(std::min(round_bytes, recv[r] - from)), peer,
                                      kExchangeTag, world));
      if (from < send[r])
        requests.push_back(mpi::isend(out[r].data() + from,
                                      static_cast<int>(std::min(round_bytes, send[r] - from)), peer,
                                      kExchangeTag, world));
    }
    if (requests.empty()) break;
    mpi::waitall(requests);
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

std::size_t packed_size(const Event& e) {
  return kPackedLeast + e.key.size() + e.counterparty.size();
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
  // The events that stay here move down in place; the others are packed
  // into streams sized exactly beforehand (no growth, no copies).
  std::vector<std::int32_t> owner(events.size());
  std::vector<std::size_t> bytes(static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < events.size(); ++i) {
    owner[i] = owner_of_key(events[i].key, size);
    if (owner[i] != rank) bytes[static_cast<std::size_t>(owner[i])] += packed_size(events[i]);
  }
  std::vector<Packer> out(static_cast<std::size_t>(size));
  for (std::size_t r = 0; r < out.size(); ++r) out[r].bytes.reserve(bytes[r]);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    if (owner[i] == rank) {
      if (kept++ != i) events[kept - 1] = std::move(e);
    } else {
      pack_event(out[static_cast<std::size_t>(owner[i])], e);
    }
  }
  events.erase(events.begin() + static_cast<std::ptrdiff_t>(kept), events.end());
  const auto in = exchange(streams(out), round_bytes, comm, mpi_seconds);
  std::size_t most = events.size();
  for (const auto& s : in) most += s.size() / kPackedLeast;
  events.reserve(most);
  for (const auto& s : in) {
    Unpacker u{s};
    while (!u.done()) events.push_back(unpack_event(u));
  }
  sort_by_key(events);
  return events;
}

}  // namespace weft::events
