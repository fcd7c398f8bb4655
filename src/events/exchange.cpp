// SPDX-License-Identifier: Apache-2.0
#include "exchange.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "key_owners.hpp"
#include "weft/core/mix64.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/p2p.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {
namespace {
// kExchangeTag marks exchange()'s messages.
constexpr int kExchangeTag = 4242;

// hash64() is splitmix64's output for z: a 64-bit hash of an id.
std::uint64_t hash64(std::uint64_t z) { return mix64(z + 0x9e3779b97f4a7c15ull); }
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
  return static_cast<int>(fnv1a64(key) % static_cast<std::uint64_t>(ranks));
}

int owner_of_id(std::int64_t id, int ranks) {
  return static_cast<int>(hash64(static_cast<std::uint64_t>(id)) %
                          static_cast<std::uint64_t>(ranks));
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

std::size_t packed_count(std::string_view stream) {
  std::size_t n = 0;
  for (std::size_t at = 0; at + kPackedLeast <= stream.size(); ++n) {
    std::uint32_t key = 0, party = 0;
    std::memcpy(&key, stream.data() + at + kPackedLeast - 2 * sizeof key, sizeof key);
    if (at + kPackedLeast + key > stream.size()) break;
    std::memcpy(&party, stream.data() + at + kPackedLeast - sizeof key + key, sizeof party);
    at += kPackedLeast + key + party;
  }
  return n;
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
  // The owner marks each id in a bitmap: an id whose bit is set already is
  // a candidate. Dense ids (the usual running numbers) get a bit each, so
  // the candidates are exactly the repeated ids; sparse ones a hashed bit
  // of 16 per record (~6 % false candidates, sorted out below). No record
  // is stored or sorted but the candidates'.
  struct Seen {
    std::int64_t id;
    std::int32_t file;
    std::int64_t line;
    int from;
  };
  auto seen_at = [&](std::size_t r, std::size_t at) {
    const char* p = in[r].data() + at;
    Seen s{};
    std::memcpy(&s.id, p, sizeof s.id);
    std::memcpy(&s.file, p + sizeof s.id, sizeof s.file);
    std::memcpy(&s.line, p + sizeof s.id + sizeof s.file, sizeof s.line);
    s.from = static_cast<int>(r);
    return s;
  };
  std::size_t records = 0;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  for (std::size_t r = 0; r < in.size(); ++r) {
    if (in[r].size() % kRecord != 0) throw std::runtime_error("a byte stream ends early");
    for (std::size_t at = 0; at < in[r].size(); at += kRecord, ++records) {
      const std::int64_t id = seen_at(r, at).id;
      lo = std::min(lo, id);
      hi = std::max(hi, id);
    }
  }
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const bool dense = records > 0 && range < 16 * static_cast<std::uint64_t>(records);
  const std::uint64_t bits = dense ? range + 1 : 16 * static_cast<std::uint64_t>(records) + 64;
  auto bit_of = [&](std::int64_t id) {
    return dense ? static_cast<std::uint64_t>(id) - static_cast<std::uint64_t>(lo)
                 : hash64(static_cast<std::uint64_t>(id) ^ 0x5bd1e9955bd1e995ull) % bits;
  };
  std::unordered_set<std::int64_t> again;
  {
    HugePageVector<std::uint64_t> marks((bits + 63) / 64);
    for (std::size_t r = 0; r < in.size(); ++r)
      for (std::size_t at = 0; at + kRecord <= in[r].size(); at += kRecord) {
        const std::int64_t id = seen_at(r, at).id;
        const std::uint64_t b = bit_of(id), mask = std::uint64_t{1} << (b % 64);
        if (marks[b / 64] & mask)
          again.insert(id);
        else
          marks[b / 64] |= mask;
      }
  }
  std::vector<Seen> seen;
  if (!again.empty())
    for (std::size_t r = 0; r < in.size(); ++r)
      for (std::size_t at = 0; at + kRecord <= in[r].size(); at += kRecord)
        if (const Seen s = seen_at(r, at); again.count(s.id)) seen.push_back(s);
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
  const KeyOwners owners = KeyOwners::build(events, comm);
  // The events that stay here move down in place; the others are packed
  // into streams sized exactly beforehand (no growth, no copies).
  std::vector<std::int32_t> owner(events.size());
  std::vector<std::size_t> bytes(static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < events.size(); ++i) {
    owner[i] = owners(events[i].key);
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
  // Exactly the received events' slots: a larger array is fresh memory.
  std::size_t total = events.size();
  for (const auto& s : in) total += packed_count(s);
  events.reserve(total);
  for (const auto& s : in) {
    Unpacker u{s};
    while (!u.done()) events.push_back(unpack_event(u));
  }
  sort_by_key(events);
  return events;
}

}  // namespace weft::events
