// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "key_owners.hpp"
#include "model.hpp"

// Routing parsed events to the owners of their keys while they move out of
// the parse's slots: the key shuffle folded into the ingest (each piece of
// the input routed right after its parse, while its events are in cache).
namespace weft::events {

struct ChunkResult;  // parse_tasks.hpp

// SourceBlocks is where a rank's events came from: events [end[b - 1],
// end[b]) were parsed from source source[b] (end[-1] = 0): the rank that
// parsed them, or a part of the input (Router::set_source()). Within a
// block they keep their input order.
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

// Router routes the parse's chunks as they come: each event either moves
// down over the free slots from `base` (its key is this rank's) or is packed
// for its key's owner; a stream goes when it holds `round_bytes` (without
// waiting for the peer: at most a few in flight), and the streams received
// (looked for after each chunk) fill the slots freed so far, streams that
// find none waiting for the next ones.
//
//   Router router(events, 0, owners, round_bytes, comm, blocks, mpi_seconds);
//   for (auto& piece : pieces) router.take(piece, 0);  // parsed in input order
//   router.finish();                                    // collective
//
// The chunks' slots lie in `events` from `base` on, each chunk after the
// ones taken before; `events` may grow (and move) between take()s. After
// finish() `events` ends with this rank's share of the keys of every rank's
// chunks (behind `base`), `blocks` holds their sources and `mpi_seconds`
// has grown by the time it waited in MPI. finish() is collective over
// `comm` (it waits for every rank's streams); take() does not wait for
// other ranks unless streams pile up. Every rank routes the same input.
class Router {
 public:
  Router(Events& events, std::size_t base, const KeyOwners& owners, std::int64_t round_bytes,
         MPI_Comm comm, SourceBlocks& blocks, double& mpi_seconds);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  ~Router();
  // take() routes the events of `results` (in input order), adding
  // `line_offset` to their lines and to their bad rows' lines.
  void take(std::vector<ChunkResult>& results, std::int64_t line_offset);
  // set_source() makes `source` the source of the events taken from now on
  // (in `blocks` on every rank; this rank's number until then): the streams
  // of the events taken before go first.
  void set_source(std::int32_t source);
  // poll() takes the streams that arrived and the sends that completed,
  // without placing anything (a rank waiting between its take()s).
  void poll();
  // free_from() is the first slot of `events` that is free after the last
  // take(): the next chunks' slots may start there.
  std::size_t free_from() const;
  // finish() ends the routing: the rest of the received events go after
  // the kept ones, and rounds go on until no rank has more to send.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// route_chunks() routes the events of `results` (the parse's chunks, in
// input order, their slots in `events` from index `base` on) by `owners`:
// a Router over them all, then finish(). Collective over `comm`.
void route_chunks(Events& events, std::size_t base, std::vector<ChunkResult>& results,
                  std::int64_t line_offset, const KeyOwners& owners, std::int64_t round_bytes,
                  MPI_Comm comm, SourceBlocks& blocks, double& mpi_seconds);

// shuffle_by_key() sends every event to its key's owner in `owners` and
// returns this rank's events sorted by (key, timestamp, event id):
// route_chunks() over the events as one chunk, then sort_by_key() by
// source. For events already moved together (ingest steps). Collective.
Events shuffle_by_key(Events events, const KeyOwners& owners, std::int64_t round_bytes,
                      MPI_Comm comm, double& mpi_seconds);

}  // namespace weft::events
