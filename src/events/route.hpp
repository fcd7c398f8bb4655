// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <span>
#include <vector>

#include "model.hpp"

// Routing parsed events to the owners of their keys while they move out of
// the parse's slots: the key shuffle folded into the ingest (one pass over
// the events instead of three).
namespace weft::events {

struct ChunkResult;  // parse_tasks.hpp

// SourceBlocks is where a rank's events came from: events [end[b - 1],
// end[b]) were parsed by rank source[b] (end[-1] = 0). Within a block they
// keep their input order.
struct SourceBlocks {
  std::vector<std::size_t> end;
  std::vector<std::int32_t> source;
  // add() appends `n` events from rank `from` (joined to the last block
  // when it is from the same rank).
  void add(std::size_t n, std::int32_t from);
  // remove() drops the events at the sorted indices `gone` (as an erase
  // that keeps the order of the rest would).
  void remove(std::span<const std::size_t> gone);
  // per_event() is the source rank of each of `n` events (the blocks'
  // last end must be n), for sort_by_key().
  HugePageVector<std::int32_t> per_event(std::size_t n) const;
};

// route_chunks() moves the events of `results` (the parse's chunks, in
// input order, their slots in `events` from index `base` on) down over the
// free slots from `base`, as the ingest does, and sends every event whose
// key another rank owns (KeyOwners, built from these events) to that rank.
// `line_offset` is added to each event's and bad row's line on the way.
// The sent events go in rounds of at most `round_bytes` per peer, packed as
// they are met, and the events received fill the slots freed so far
// (behind the last slot: appended), so the events need no second array.
// `events` ends with this rank's share of the keys of every rank's chunks;
// `blocks` gains their sources. `mpi_seconds` grows by the time in MPI.
// Collective over `comm` (every rank routes the same input file).
void route_chunks(Events& events, std::size_t base, std::vector<ChunkResult>& results,
                  std::int64_t line_offset, std::int64_t round_bytes, MPI_Comm comm,
                  SourceBlocks& blocks, double& mpi_seconds);

// shuffle_by_key() sends every event to the owner of its key (KeyOwners)
// and returns this rank's events sorted by (key, timestamp, event id):
// route_chunks() over the events as one chunk, then sort_by_key() by
// source. For events already moved together (ingest steps). Collective.
Events shuffle_by_key(Events events, std::int64_t round_bytes, MPI_Comm comm, double& mpi_seconds);

}  // namespace weft::events
