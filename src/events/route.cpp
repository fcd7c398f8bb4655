// SPDX-License-Identifier: Apache-2.0
#include "route.hpp"

#include <algorithm>
#include <deque>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "exchange.hpp"
#include "key_owners.hpp"
#include "parse_tasks.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::events {

void SourceBlocks::add(std::size_t n, std::int32_t from) {
  if (n == 0) return;
  const std::size_t at = end.empty() ? 0 : end.back();
  if (!source.empty() && source.back() == from) {
    end.back() = at + n;
    return;
  }
  end.push_back(at + n);
  source.push_back(from);
}

void SourceBlocks::remove(std::span<const std::size_t> gone) {
  std::size_t g = 0;
  for (std::size_t& e : end) {
    const std::size_t old = e;
    while (g < gone.size() && gone[g] < old) ++g;
    e = old - g;
  }
}

HugePageVector<std::int32_t> SourceBlocks::per_event(std::size_t n) const {
  if ((end.empty() ? 0 : end.back()) != n)
    throw std::logic_error("SourceBlocks: the blocks do not cover the events");
  HugePageVector<std::int32_t> out(n);
  std::size_t at = 0;
  for (std::size_t b = 0; b < end.size(); ++b) {
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(end[b]), source[b]);
    at = end[b];
  }
  return out;
}

void route_chunks(Events& events, std::size_t base, std::vector<ChunkResult>& results,
                  std::int64_t line_offset, std::int64_t round_bytes, MPI_Comm comm,
                  SourceBlocks& blocks, double& mpi_seconds) {
  const mpi::Comm world(comm);
  const int rank = world.rank();
  const auto peers = static_cast<std::size_t>(world.size());
  EventPieces pieces;
  for (ChunkResult& r : results) {
    for (BadRow& b : r.bad) b.line += line_offset;
    pieces.add({r.slots, static_cast<std::size_t>(r.events)});
  }
  double t0 = mpi::wtime();
  const KeyOwners owners = KeyOwners::build(pieces, comm);
  mpi_seconds += mpi::wtime() - t0;
  const auto round_size = static_cast<std::size_t>(round_bytes);
  std::vector<Packer> packers(peers);
  for (std::size_t r = 0; r < peers; ++r)
    if (r != static_cast<std::size_t>(rank)) packers[r].bytes.reserve(round_size + kPackedLeast);
  std::vector<Bytes> in(peers), spare;
  // Every slot before `to` holds a kept or received event; the slots from
  // `to` up to the event being read are free (moved, packed or never used).
  // Received streams wait in `pending`, in arrival order, until free slots
  // take them; once the pass is over (`to` is null) they are appended.
  Event* to = events.data() + base;
  std::size_t own = 0;  // kept events since the last received block
  struct Pending {
    Bytes bytes;
    std::size_t at = 0;
    std::int32_t source = 0;
  };
  std::deque<Pending> pending;
  // place() unpacks the pending streams in order into the free slots before
  // `limit` (after the pass: at the end), as far as they go.
  auto place = [&](Event* limit) {
    while (!pending.empty()) {
      Pending& p = pending.front();
      Unpacker u{p.bytes, p.at};
      std::size_t placed = 0;
      if (!to)
        for (; !u.done(); ++placed) unpack_event(u, events.emplace_back());
      else
        for (; !u.done() && to < limit; ++placed) unpack_event(u, *to++);
      blocks.add(placed, p.source);
      if (!u.done()) {
        p.at = u.at;
        return;
      }
      spare.push_back(std::move(p.bytes));
      pending.pop_front();
    }
  };
  // round() sends the packed events, places the received ones before
  // `limit` and tells whether any rank has more to send (it says so by `more`).
  auto round = [&](Event* limit, int more) {
    std::vector<Bytes> out = streams(packers);
    exchange_into(out, in, round_bytes, comm, mpi_seconds);
    for (std::size_t r = 0; r < peers; ++r) {
      packers[r].bytes = std::move(out[r]);
      packers[r].bytes.clear();
    }
    blocks.add(own, rank);
    own = 0;
    for (std::size_t r = 0; r < peers; ++r) {
      if (r == static_cast<std::size_t>(rank) || in[r].empty()) continue;
      pending.push_back({std::move(in[r]), 0, static_cast<std::int32_t>(r)});
      if (!spare.empty()) {
        in[r] = std::move(spare.back());
        spare.pop_back();
      }
    }
    place(limit);
    t0 = mpi::wtime();
    const bool any = mpi::allreduce(more, MPI_MAX, world) != 0;
    mpi_seconds += mpi::wtime() - t0;
    return any;
  };
  for (ChunkResult& r : results)
    for (Event *e = r.slots, *last = r.slots + r.events; e != last; ++e) {
      e->line += line_offset;
      const int o = owners(e->key);
      if (o == rank) {
        if (e != to) relocate(*to, *e);
        ++to;
        ++own;
        continue;
      }
      Packer& p = packers[static_cast<std::size_t>(o)];
      pack_event(p, *e);
      if (p.bytes.size() >= round_size) round(e + 1, 1);
    }
  // The pass is over: every slot from `to` on is free.
  blocks.add(own, rank);
  own = 0;
  place(events.data() + events.size());
  events.erase(events.begin() + (to - events.data()), events.end());
  to = nullptr;
  place(nullptr);
  while (round(nullptr, 0)) {
  }
}

Events shuffle_by_key(Events events, std::int64_t round_bytes, MPI_Comm comm, double& mpi_seconds) {
  if (mpi::Comm(comm).size() == 1) {
    sort_by_key(events);
    return events;
  }
  std::vector<ChunkResult> all(1);
  all[0].slots = events.data();
  all[0].events = static_cast<std::int64_t>(events.size());
  SourceBlocks blocks;
  route_chunks(events, 0, all, 0, round_bytes, comm, blocks, mpi_seconds);
  sort_by_key(events, blocks.per_event(events.size()));
  return events;
}

}  // namespace weft::events
