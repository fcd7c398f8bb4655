// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "weft/mpi/comm.hpp"

// Sharing the rest of the ranks' byte ranges of one input while they parse
// it (dynamic balancing): a rank done with its range takes the back half of
// a peer's rest, so that no rank waits for a slower one (a vCPU the host
// gives less time, a range with more bad rows) at the end of the parse.
namespace weft::events {

// RangeShare is one rank's side of the sharing. The owner of a range calls
// serve() between its pieces; a rank done with its range calls steal() and
// parses what it gets; every rank calls finish() once it is done stealing.
//
//   RangeShare share(comm, 2 * piece, [&] { router.poll(); });
//   for (;;) {
//     while (pos < end) { parse_piece(pos, end); share.serve(pos, end, cut); }
//     auto part = share.steal();     // the back half of a peer's rest
//     if (!part) break;              // every peer declined
//     pos = part->begin, end = part->end;
//   }
//   share.finish();                  // collective: no request is left unanswered
//
// The messages go over a duplicate of `comm` (owned), so they never meet
// another layer's. `idle` runs while a rank waits for an answer or for the
// others to finish (the key shuffle's progress). The constructor and
// finish() are collective over `comm`; serve() and steal() are not.
class RangeShare {
 public:
  // Part is the byte range [begin, end) a peer handed over.
  struct Part {
    std::int64_t begin = 0, end = 0;
  };
  // CutFn is the first cut point (a record start) in (from, to], or a
  // value <= from or > to when there is none (csv_file.hpp's next_start()).
  using CutFn = std::function<std::int64_t(std::int64_t from, std::int64_t to)>;

  // RangeShare() shares over `comm`; a range's rest is cut only when it
  // holds at least `least` bytes.
  RangeShare(MPI_Comm comm, std::int64_t least, std::function<void()> idle);
  RangeShare(const RangeShare&) = delete;
  RangeShare& operator=(const RangeShare&) = delete;
  ~RangeShare();

  // serve() answers the requests that came: the first takes [c, end) of
  // this rank's rest [pos, end), c = cut(pos + (end - pos) / 2, end), and
  // `end` becomes c; the others (or all, when the rest is under `least`
  // bytes or has no cut) are declined.
  void serve(std::int64_t pos, std::int64_t& end, const CutFn& cut);
  // steal() asks the peers in turn (rank + 1, rank + 2, ...) for part of
  // their rests: the first part given, or none when every peer declined.
  std::optional<Part> steal();
  // finish() declines every request until every rank has called it, then
  // waits for its answers to be sent. Collective.
  void finish();
  // parts() is how many parts this rank took from its peers.
  int parts() const { return parts_; }

 private:
  // answer() sends a cut {begin, end} ({-1, -1}: declined) to `to`.
  void answer(int to, std::int64_t begin, std::int64_t end);
  // next_request() takes a request that came, if any: its sender, or -1.
  int next_request();
  void decline_all();
  void wait_a_moment();

  mpi::Comm comm_;
  std::int64_t least_;
  std::function<void()> idle_;
  struct Answer {
    std::int64_t cut[2] = {-1, -1};
    MPI_Request request = MPI_REQUEST_NULL;
  };
  std::deque<Answer> answers_;  // in flight
  int parts_ = 0;
};

}  // namespace weft::events
