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
    std::snprintf(key, sizeof key, "%d %d %g %g %d", relative, c.quadrupole, c.theta, c.tolerance,
                  c.single_precision);
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

TEST_F(Accuracy, SinglePrecisionListsAgreeWithDouble) {
  // The same walk with the lists evaluated in float (the default) and in
  // double: at every sampled target the two differ by far less than the
  // opening criterion's error (float's 6e-8 per term, summed over ~3000
  // terms of either sign: measured 1e-6 for forces, 2e-7 for potentials), and the errors
  // against direct summation are the same to a percent.
  const std::size_t n = s->pos.size();
  std::vector<std::int64_t> self(n);
  for (std::size_t i = 0; i < n; ++i) self[i] = static_cast<std::int64_t>(i);
  for (bool quad : {false, true}) {
    std::vector<Vec3> a[2];
    std::vector<double> p[2];
    for (int single = 0; single < 2; ++single) {
      Tree tree({.theta = 0.5, .quadrupole = quad, .single_precision = single == 1});
      tree.build(s->pos, s->mass, 2);
      a[single].resize(n);
      p[single].resize(n);
      tree.accelerations(s->pos, self, {}, kSoft, 1.0, a[single], p[single], 2);
    }
    double worst_a = 0, worst_p = 0;
    for (const std::int64_t i : *which) {
      const auto k = static_cast<std::size_t>(i);
      worst_a = std::max(worst_a, (a[1][k] - a[0][k]).norm() / a[0][k].norm());
      worst_p = std::max(worst_p, std::abs(p[1][k] - p[0][k]) / std::abs(p[0][k]));
    }
    std::printf(
        "%s: float vs double lists, largest relative difference: force %.2e, potential %.2e\n",
        quad ? "quad" : "mono", worst_a, worst_p);
    EXPECT_LT(worst_a, 2e-5) << (quad ? "quad" : "mono");
    EXPECT_LT(worst_p, 2e-6) << (quad ? "quad" : "mono");
    EXPECT_GT(worst_a, 0.0) << "the float path was not taken";
    const test::Errors& es = run({.theta = 0.5, .quadrupole = quad, .single_precision = true});
    const test::Errors& ed = run({.theta = 0.5, .quadrupole = quad, .single_precision = false});
    EXPECT_NEAR(percentile(es.force, 99), percentile(ed.force, 99),
                0.01 * percentile(ed.force, 99));
  }
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
