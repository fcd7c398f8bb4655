// SPDX-License-Identifier: Apache-2.0
// gravity.tree.accuracy: tree forces and potentials against the O(N^2)
// double loop on a 10^5-particle Plummer sphere (2000 sampled targets),
// the issue's requirement: p99 relative force error < 1e-3 at theta = 0.5
// with quadrupoles.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "support.hpp"

namespace weft::gravity {
namespace {

using test::percentile;

struct Accuracy : ::testing::Test {
  static void SetUpTestSuite() {
    s = new test::Sources(test::plummer_sphere(100000, 20261202));
    which = new std::vector<std::int64_t>(test::sample(100000, 2000, 7));
    acc = new std::vector<Vec3>;
    pot = new std::vector<double>;
    test::direct(*s, *which, kSoft, 1.0, *acc, *pot);
  }
  static void TearDownTestSuite() {
    delete s;
    delete which;
    delete acc;
    delete pot;
    cache.clear();
  }
  // run() is the error of one configuration (cached: tests share them).
  static const test::Errors& run(TreeConfig c, bool relative = false) {
    char key[96];
    std::snprintf(key, sizeof key, "%d %d %g %g", relative, c.quadrupole, c.theta, c.tolerance);
    auto [it, fresh] = cache.try_emplace(key);
    if (!fresh) return it->second;
    Tree tree(c);
    tree.build(s->pos, s->mass, 2);
    it->second = test::tree_errors(tree, *s, *which, *acc, *pot, kSoft, 1.0, relative, 2);
    const test::Errors& e = it->second;
    std::printf(
        "%-10s %-5s theta %.2f tol %.4g: p50 %.2e p90 %.2e p99 %.2e | pot p99 %.2e max %.2e | "
        "%.0f/target\n",
        relative ? "relative" : "bh", c.quadrupole ? "quad" : "mono", c.theta, c.tolerance,
        percentile(e.force, 50), percentile(e.force, 90), percentile(e.force, 99),
        percentile(e.potential, 99), percentile(e.potential, 100),
        e.stats.interactions_per_target());
    return e;
  }
  static inline std::map<std::string, test::Errors> cache;
  static inline const Softening kSoft{SofteningKind::spline, 0.01};
  static inline test::Sources* s = nullptr;
  static inline std::vector<std::int64_t>* which = nullptr;
  static inline std::vector<Vec3>* acc = nullptr;
  static inline std::vector<double>* pot = nullptr;
};

TEST_F(Accuracy, QuadrupoleThetaHalfMeetsIssueBound) {
  // The issue's requirement (every particle a target, as in a step; errors
  // at the 2000 sampled ones).
  const test::Errors& e = run({.theta = 0.5, .quadrupole = true});
  EXPECT_LT(percentile(e.force, 99), 1e-3);
  EXPECT_LT(percentile(e.force, 50), 2.5e-4);
  // Potentials: every contribution has the same sign, so the node errors add
  // up to at most the largest relative error of one node's expansion times
  // the total (no cancellation, unlike forces): measured 7.0e-5 (p99), an
  // order below the force error; asserted within a factor of 3.
  EXPECT_LT(percentile(e.potential, 99), 2e-4);
  EXPECT_LT(percentile(e.potential, 50), 3e-5);
}

TEST_F(Accuracy, QuadrupoleBeatsMonopole) {
  for (double theta : {0.5, 0.7}) {
    const test::Errors& q = run({.theta = theta, .quadrupole = true});
    const test::Errors& m = run({.theta = theta, .quadrupole = false});
    EXPECT_LT(percentile(q.force, 99), 0.5 * percentile(m.force, 99)) << theta;
    EXPECT_LT(percentile(q.force, 50), 0.5 * percentile(m.force, 50)) << theta;
  }
}

TEST_F(Accuracy, ErrorDecreasesWithTheta) {
  for (bool quad : {false, true}) {
    double last = 0;
    for (double theta : {0.45, 0.5, 0.7, 1.0}) {
      const test::Errors& e = run({.theta = theta, .quadrupole = quad});
      const double p99 = percentile(e.force, 99);
      EXPECT_GT(p99, last) << "theta " << theta << (quad ? " quad" : " mono");
      last = p99;
    }
  }
}

TEST_F(Accuracy, RelativeCriterionFollowsTolerance) {
  // Gadget-2's criterion with |a_old| = |a_direct|: a tenfold smaller
  // tolerance gives a smaller error and more interactions; at alpha =
  // 0.001 (quadrupole) the p99 is within the issue's 1e-3.
  for (bool quad : {false, true}) {
    const test::Errors loose =
        run({.opening = Opening::relative, .tolerance = 0.005, .quadrupole = quad}, true);
    const test::Errors tight =
        run({.opening = Opening::relative, .tolerance = 0.001, .quadrupole = quad}, true);
    EXPECT_LT(percentile(tight.force, 99), percentile(loose.force, 99));
    EXPECT_GT(tight.stats.interactions_per_target(), loose.stats.interactions_per_target());
    if (quad) {
      EXPECT_LT(percentile(tight.force, 99), 1e-3);
    }
  }
}

}  // namespace
}  // namespace weft::gravity
