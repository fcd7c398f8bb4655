// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "weft/gravity/tree.hpp"
#include "weft/mpi/comm.hpp"

// The distributed Barnes–Hut tree: every rank builds a tree of its own
// sources only, all in one cube, each rank holding one stretch of that
// cube's Morton curve. The cells that lie wholly in a rank's stretch and
// hold sources are complete nodes of that rank's tree; every rank gathers
// the largest of them (the "top cells", a few hundred per rank, with their
// moments) and builds the same small top tree above them. A walk that must
// open a top cell of another rank asks that rank for the cell's children
// (records, and the sources of the leaves among them) and parks its fiber
// until the reply comes; the reply goes into a cache of remote nodes that
// all walks of the rank share, with one request in flight per node however
// many walks want it. Requests are answered by whichever task of the
// owner gets there first (walks between groups, or a progress task).
// Optionally (send_ahead, the default) every rank first sends every other
// what its walks will open (a locally essential tree) into that cache, so
// walks rarely ask. docs/gravity-tree.md.
//
//   DistributedTree tree(config);
//   exec.run([&] {  // fibers: walks park while a reply is on its way
//     tree.build(pos, mass, cube, stretches, comm, exec.threads());
//     tree.accelerations(pos, old_acc, soft, G, acc, pot, cost, exec.threads());
//   });
namespace weft::gravity {

// CacheStats counts what the remote-node cache did in one accelerations().
struct CacheStats {
  std::int64_t requests = 0;     // nodes fetched from other ranks (one request each)
  std::int64_t hits = 0;         // remote nodes found in the cache (or already on their way)
  std::int64_t bytes = 0;        // bytes received in replies to requests
  std::int64_t ahead_bytes = 0;  // bytes received ahead of the walks (send_ahead)
  std::int64_t served = 0;       // requests this rank answered
  double ahead_seconds = 0;      // wall time of the exchange ahead of the walks
  double walk_seconds = 0;       // wall time of this rank's walks
  double wait_seconds = 0;       // wall time from the end of the walks to every rank's
  double parked_seconds = 0;     // walk time spent parked on replies, summed over walks
  std::int64_t top_cells = 0;    // top cells of all ranks
  // operator+= adds another computation's counts and times (top_cells: the
  // latest).
  CacheStats& operator+=(const CacheStats& o) noexcept {
    requests += o.requests, hits += o.hits, bytes += o.bytes, ahead_bytes += o.ahead_bytes;
    served += o.served;
    ahead_seconds += o.ahead_seconds, walk_seconds += o.walk_seconds,
        wait_seconds += o.wait_seconds, parked_seconds += o.parked_seconds;
    top_cells = o.top_cells;
    return *this;
  }
  // hit_rate() is hits / (hits + requests), 1 when nothing was remote.
  double hit_rate() const noexcept {
    return hits + requests ? double(hits) / double(hits + requests) : 1.0;
  }
};

class DistributedTree {
 public:
  // DistributedTree() checks the configuration as Tree() does. send_ahead:
  // before the walks, every rank sends every other what that rank's walks
  // will open of its tree (the locally essential tree: the nodes that the
  // other rank's box opens under its criterion), in one MPI_Alltoallv, into
  // the cache; walks then fetch only what that missed (nothing, unless a
  // rounding edge). Without it, every remote node is fetched on demand.
  explicit DistributedTree(const TreeConfig& config, bool send_ahead = true);
  ~DistributedTree();
  DistributedTree(const DistributedTree&) = delete;
  DistributedTree& operator=(const DistributedTree&) = delete;

  // build() builds this rank's tree over its sources (pos, mass) in `cube`,
  // where rank r holds exactly the sources whose keys lie in
  // [stretches[r], stretches[r + 1]) (size ranks + 1, from 0 to
  // kEndOfCurve), gathers every rank's top cells and builds the top tree.
  // Collective over comm (the tree keeps a duplicate of it for its
  // messages). Call it inside a weft::go task or outside any pool.
  void build(std::span<const Vec3> pos, std::span<const double> mass, const Cube& cube,
             std::span<const std::uint64_t> stretches, const mpi::Comm& comm, int threads);

  // accelerations() computes acc (and pot, if not empty; cost, if not empty)
  // of every source of this rank (the targets are the sources, in build()'s
  // order) from all sources of all ranks, as Tree::accelerations() with
  // self_index = each target's own source. old_acc: empty or |a| of the
  // previous step per target (relative criterion). Collective over the
  // build's communicator. Must run inside a weft::go task (a walk parks
  // while a remote node is fetched): it spawns up to 16 walks per worker
  // and the task that answers other ranks' requests, and returns when every
  // rank's walks are done. Bit-identical for any threads and timing.
  // active: empty or one flag per source: only flagged ones are targets (as
  // in Tree::accelerations()).
  WalkStats accelerations(std::span<const Vec3> pos, std::span<const double> old_acc,
                          const Softening& soft, double G, std::span<Vec3> acc,
                          std::span<double> pot, std::span<std::int32_t> cost, int threads,
                          std::span<const char> active = {});

  // cache() is what the last accelerations() fetched and served.
  const CacheStats& cache() const noexcept { return stats_; }
  const Tree& local() const noexcept { return local_; }

 private:
  struct State;
  Tree local_;
  std::unique_ptr<State> state_;
  CacheStats stats_;
};

}  // namespace weft::gravity
