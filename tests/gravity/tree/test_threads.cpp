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

}  // namespace
}  // namespace weft::gravity
