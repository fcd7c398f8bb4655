// SPDX-License-Identifier: Apache-2.0
// gravity.tree.threads: build and walk inside go::Executor give the same
// bits with 1, 2 and 4 workers under fibers and under OpenMP.
#include <gtest/gtest.h>

#include <cstring>

#include "support.hpp"
#include "weft/go/blocks.hpp"
#include "weft/go/executor.hpp"

namespace weft::gravity {
namespace {

struct Result {
  std::vector<Vec3> acc;
  std::vector<double> pot;
  std::vector<std::int32_t> cost;
  WalkStats stats;
};

// run(): BH pass, then a relative pass with the BH |a| as old accelerations
// (as a time step does), every source a target.
Result run(const test::Sources& s, go::Scheduler sched, int threads, bool quad) {
  const auto n = static_cast<std::int64_t>(s.pos.size());
  std::vector<std::int64_t> self(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) self[static_cast<std::size_t>(i)] = i;
  Result r;
  r.acc.resize(s.pos.size());
  r.pot.resize(s.pos.size());
  r.cost.resize(s.pos.size());
  go::Executor exec({.scheduler = sched, .threads = threads});
  exec.run([&] {
    Tree tree({.opening = Opening::relative, .theta = 0.6, .tolerance = 0.001, .quadrupole = quad});
    const Softening soft{SofteningKind::plummer, 0.02};
    tree.build(s.pos, s.mass, threads);
    tree.accelerations(s.pos, self, {}, soft, 1.0, r.acc, r.pot, threads);
    std::vector<double> old(s.pos.size());
    for (std::size_t i = 0; i < old.size(); ++i) old[i] = r.acc[i].norm();
    r.stats = tree.accelerations(s.pos, self, old, soft, 1.0, r.acc, r.pot, threads, r.cost);
  });
  return r;
}

TEST(Threads, BitIdenticalAcrossWorkersAndSchedulers) {
  const test::Sources s = test::plummer_sphere(20000, 99);
  for (bool quad : {true, false}) {
    const Result ref = run(s, go::Scheduler::openmp, 1, quad);
    ASSERT_GT(ref.stats.node_interactions, 0);
    for (go::Scheduler sched : {go::Scheduler::openmp, go::Scheduler::fibers}) {
      for (int threads : {1, 2, 4}) {
        const Result r = run(s, sched, threads, quad);
        EXPECT_EQ(0, std::memcmp(r.acc.data(), ref.acc.data(), r.acc.size() * sizeof(Vec3)))
            << go::to_string(sched) << " " << threads;
        EXPECT_EQ(0, std::memcmp(r.pot.data(), ref.pot.data(), r.pot.size() * sizeof(double)));
        EXPECT_EQ(r.cost, ref.cost);
        EXPECT_EQ(r.stats.node_interactions, ref.stats.node_interactions);
        EXPECT_EQ(r.stats.particle_interactions, ref.stats.particle_interactions);
        EXPECT_EQ(r.stats.nodes_opened, ref.stats.nodes_opened);
      }
    }
  }
}

// Active targets (block time steps): only flagged targets get acc, pot and
// cost; the others keep what they held. Each active target's force stays
// within the opening criterion's error of the exact sum (direct(): p99 <
// 1e-3 at theta 0.5 with quadrupoles), and the result is the same bits
// with 1 and 4 workers.
TEST(Threads, ActiveTargetsOnly) {
  const test::Sources s = test::plummer_sphere(20000, 7);
  const std::size_t n = s.pos.size();
  std::vector<std::int64_t> self(n);
  std::vector<char> active(n);
  std::vector<std::int64_t> which;
  for (std::size_t i = 0; i < n; ++i) {
    self[i] = static_cast<std::int64_t>(i);
    active[i] = i % 7 == 3 ? 1 : 0;
    if (active[i]) which.push_back(self[i]);
  }
  const Softening soft{SofteningKind::spline, 0.01};
  auto walk = [&](int threads) {
    Result r;
    r.acc.assign(n, Vec3::Constant(-7.0));
    r.pot.assign(n, -7.0);
    r.cost.assign(n, -7);
    go::Executor exec({.scheduler = go::Scheduler::fibers, .threads = threads});
    exec.run([&] {
      Tree tree({.theta = 0.5, .quadrupole = true});
      tree.build(s.pos, s.mass, threads);
      r.stats =
          tree.accelerations(s.pos, self, {}, soft, 1.0, r.acc, r.pot, threads, r.cost, active);
    });
    return r;
  };
  const Result one = walk(1), four = walk(4);
  EXPECT_EQ(one.stats.targets, static_cast<std::int64_t>(which.size()));
  EXPECT_EQ(0, std::memcmp(one.acc.data(), four.acc.data(), n * sizeof(Vec3)));
  std::vector<Vec3> exact;
  std::vector<double> exact_pot;
  test::direct(s, which, soft, 1.0, exact, exact_pot);
  std::vector<double> err;
  for (std::size_t i = 0, k = 0; i < n; ++i) {
    if (!active[i]) {
      EXPECT_EQ(one.acc[i], Vec3::Constant(-7.0)) << i;
      EXPECT_EQ(one.pot[i], -7.0);
      EXPECT_EQ(one.cost[i], -7);
      continue;
    }
    EXPECT_GT(one.cost[i], 0);
    err.push_back((one.acc[i] - exact[k]).norm() / exact[k].norm());
    ++k;
  }
  EXPECT_LT(test::percentile(err, 99), 1e-3);
}

}  // namespace
}  // namespace weft::gravity
