// SPDX-License-Identifier: Apache-2.0
// The distributed tree at 1, 2 and 4 ranks (docs/gravity-tree.md): every
// rank draws the same Plummer sphere and keeps its stretch of the curve;
// forces are checked against direct summation (the oracle) and against the
// whole tree on one rank, bit-identity over thread counts and repeated runs
// (walks park at different moments), and the cache's bookkeeping: every
// request is served exactly once, across ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "support.hpp"
#include "weft/go/executor.hpp"
#include "weft/gravity/distributed_tree.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity::test {
namespace {

// Share is one rank's stretch of a source set and the set's cube.
struct Share {
  Cube cube;
  std::vector<std::uint64_t> cuts;   // size ranks + 1
  std::vector<std::int64_t> global;  // this rank's sources: indices into the whole set
  std::vector<Vec3> pos;
  std::vector<double> mass;
};

// split() cuts the curve of s's cube at equal counts (or leaves rank
// `empty` without sources, if >= 0) and keeps this rank's stretch.
Share split(const Sources& s, const mpi::Comm& comm, int empty = -1) {
  Share sh;
  double lo[3], hi[3];
  for (int d = 0; d < 3; ++d) lo[d] = hi[d] = s.pos[0][d];
  for (const Vec3& p : s.pos)
    for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], p[d]), hi[d] = std::max(hi[d], p[d]);
  sh.cube = cube_of_box(lo, hi);
  const std::size_t n = s.pos.size();
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = curve_key(s.pos[i], sh.cube);
  std::vector<std::uint64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  const int ranks = comm.size();
  const int holders = empty >= 0 && ranks > 1 ? ranks - 1 : ranks;
  sh.cuts.assign(static_cast<std::size_t>(ranks) + 1, kEndOfCurve);
  sh.cuts[0] = 0;
  for (int r = 0, h = 0; r < ranks; ++r) {
    const auto at = static_cast<std::size_t>(r);
    if (r == empty) {  // [cut, cut): nothing
      sh.cuts[at + 1] = sh.cuts[at];
      continue;
    }
    ++h;
    sh.cuts[at + 1] =
        h == holders ? kEndOfCurve : sorted[n * static_cast<std::size_t>(h) / holders];
  }
  const auto me = static_cast<std::size_t>(comm.rank());
  for (std::size_t i = 0; i < n; ++i)
    if (keys[i] >= sh.cuts[me] && keys[i] < sh.cuts[me + 1]) {
      sh.global.push_back(static_cast<std::int64_t>(i));
      sh.pos.push_back(s.pos[i]);
      sh.mass.push_back(s.mass[i]);
    }
  return sh;
}

struct Result {
  std::vector<Vec3> acc;
  std::vector<double> pot;
  std::vector<std::int32_t> cost;
  CacheStats cache;
};

Result run(const Share& sh, const TreeConfig& cfg, const Softening& soft, int threads,
           const std::vector<double>& old = {}, bool ahead = true) {
  go::Executor exec({.scheduler = go::Scheduler::fibers, .threads = threads});
  DistributedTree tree(cfg, ahead);
  Result r;
  const std::size_t n = sh.pos.size();
  r.acc.resize(n);
  r.pot.resize(n);
  r.cost.resize(n);
  exec.run([&] {
    tree.build(sh.pos, sh.mass, sh.cube, sh.cuts, mpi::world(), threads);
    tree.accelerations(sh.pos, old, soft, 1.0, r.acc, r.pot, r.cost, threads);
  });
  r.cache = tree.cache();
  return r;
}

constexpr std::int64_t kN = 20000;
const Softening kSoft{SofteningKind::spline, 0.01};

TEST(Distributed, MatchesDirectSummationAndTheWholeTree) {
  const mpi::Comm& world = mpi::world();
  const Sources s = plummer_sphere(kN, 11);
  const Share sh = split(s, world);
  const TreeConfig cfg{.theta = 0.5};
  const Result r = run(sh, cfg, kSoft, 2);
  // the whole tree on this rank, for this rank's sources
  Tree whole(cfg);
  whole.build(s.pos, s.mass, 1);
  std::vector<Vec3> acc_w(sh.pos.size());
  std::vector<double> pot_w(sh.pos.size());
  whole.accelerations(sh.pos, sh.global, {}, kSoft, 1.0, acc_w, pot_w, 1);
  // direct summation on a sample of this rank's sources
  std::vector<std::int64_t> which;
  for (std::size_t k = 0; k < sh.global.size(); k += 25) which.push_back(sh.global[k]);
  std::vector<Vec3> acc_d;
  std::vector<double> pot_d;
  direct(s, which, kSoft, 1.0, acc_d, pot_d);
  std::vector<double> err, diff;
  for (std::size_t k = 0, j = 0; k < sh.global.size(); k += 25, ++j)
    err.push_back((r.acc[k] - acc_d[j]).norm() / acc_d[j].norm());
  for (std::size_t k = 0; k < sh.pos.size(); ++k)
    diff.push_back((r.acc[k] - acc_w[k]).norm() / acc_w[k].norm());
  EXPECT_LT(percentile(err, 99), 1e-3);
  EXPECT_LT(percentile(diff, 99), 2e-3);
  if (world.size() == 1) {  // one rank: the whole tree, bit for bit
    for (std::size_t k = 0; k < sh.pos.size(); ++k) {
      ASSERT_EQ(r.acc[k], acc_w[k]) << k;
      ASSERT_EQ(r.pot[k], pot_w[k]) << k;
    }
  } else {
    EXPECT_GT(r.cache.ahead_bytes, 0);
    const Result demand = run(sh, cfg, kSoft, 2, {}, false);
    EXPECT_GT(demand.cache.requests, 0);
    EXPECT_GT(demand.cache.hits, 0);
    EXPECT_EQ(demand.acc, r.acc);  // the same nodes, however they came
  }
}

TEST(Distributed, SameBitsForAnyThreadsAndRepeatedRuns) {
  const Sources s = plummer_sphere(kN, 12);
  const Share sh = split(s, mpi::world());
  const TreeConfig cfg{.opening = Opening::relative, .tolerance = 0.0025};
  std::vector<double> old(sh.pos.size());
  const Result bh = run(sh, TreeConfig{.theta = 0.5}, kSoft, 1);
  for (std::size_t k = 0; k < old.size(); ++k) old[k] = bh.acc[k].norm();
  const Result a = run(sh, cfg, kSoft, 1, old);
  // the same bits whether other ranks' nodes came ahead or on demand
  for (int threads : {2, 4, 2, -2}) {
    const Result b = run(sh, cfg, kSoft, std::abs(threads), old, threads > 0);
    for (std::size_t k = 0; k < sh.pos.size(); ++k) {
      ASSERT_EQ(a.acc[k], b.acc[k]) << threads << " threads, source " << k;
      ASSERT_EQ(a.pot[k], b.pot[k]) << threads << " threads, source " << k;
      ASSERT_EQ(a.cost[k], b.cost[k]) << threads << " threads, source " << k;
    }
  }
}

TEST(Distributed, EveryRequestIsServedOnceAndARankMayHoldNothing) {
  const mpi::Comm& world = mpi::world();
  const Sources s = plummer_sphere(5000, 13);
  const Share sh = split(s, world, world.size() > 1 ? 1 : -1);
  const Result r = run(sh, TreeConfig{.theta = 0.7, .quadrupole = false}, kSoft, 2, {}, false);
  const std::int64_t requests = mpi::allreduce(r.cache.requests, MPI_SUM, world);
  const std::int64_t served = mpi::allreduce(r.cache.served, MPI_SUM, world);
  EXPECT_EQ(requests, served);
  const std::int64_t mine = static_cast<std::int64_t>(sh.pos.size());
  EXPECT_EQ(mpi::allreduce(mine, MPI_SUM, world), 5000);
  // forces still right with one rank empty
  std::vector<std::int64_t> which(sh.global.begin(),
                                  sh.global.begin() + std::min<std::ptrdiff_t>(50, mine));
  std::vector<Vec3> acc_d;
  std::vector<double> pot_d;
  direct(s, which, kSoft, 1.0, acc_d, pot_d);
  for (std::size_t k = 0; k < which.size(); ++k)
    EXPECT_LT((r.acc[k] - acc_d[k]).norm() / acc_d[k].norm(), 2e-2) << k;
}

}  // namespace
}  // namespace weft::gravity::test
