// SPDX-License-Identifier: Apache-2.0
// gravity.tree.multipole: one node of 8 sources seen from afar. The error
// of the monopole falls as (l/d)^2 and that of the quadrupole as (l/d)^3
// (the first dropped term of the expansion), for forces and potentials,
// Newtonian (spline beyond h) and Plummer-softened.
#include <gtest/gtest.h>

#include <cmath>

#include "support.hpp"

namespace weft::gravity {
namespace {

struct Err {
  double force, potential;
};

Err node_error(const test::Sources& s, const Softening& soft, double d, bool quad) {
  const Vec3 t(d, 0.3 * d, -0.2 * d);
  Vec3 ad = Vec3::Zero();
  double pd = 0;
  for (std::size_t j = 0; j < s.pos.size(); ++j) {
    const Vec3 dd = s.pos[j] - t;
    ad += s.mass[j] * pair_force(dd.squaredNorm(), soft) * dd;
    pd -= s.mass[j] * pair_potential(dd.squaredNorm(), soft);
  }
  Tree tree({.theta = 1.5, .quadrupole = quad, .leaf_size = 8});
  tree.build(s.pos, s.mass, 1);
  const std::vector<Vec3> targets{t};
  std::vector<Vec3> acc(1);
  std::vector<double> pot(1);
  const WalkStats st = tree.accelerations(targets, {}, {}, soft, 1.0, acc, pot, 1);
  EXPECT_EQ(st.node_interactions, 1);  // the root, whole
  return {(acc[0] - ad).norm() / ad.norm(), std::abs(pot[0] - pd) / std::abs(pd)};
}

TEST(Multipole, ErrorOrders) {
  std::mt19937_64 rng(3);
  test::Sources s;
  for (int i = 0; i < 8; ++i) {
    s.pos.emplace_back(test::uniform01(rng), test::uniform01(rng), 0.3 * test::uniform01(rng));
    s.mass.push_back(0.5 + test::uniform01(rng));
  }
  for (const Softening soft :
       {Softening{SofteningKind::spline, 0.01}, Softening{SofteningKind::plummer, 0.5}}) {
    for (bool quad : {false, true}) {
      const int order = quad ? 3 : 2;
      for (double d : {10.0, 20.0}) {
        const Err e1 = node_error(s, soft, d, quad), e2 = node_error(s, soft, 2 * d, quad);
        // doubling the distance divides the error by 2^order (within 30 %)
        EXPECT_NEAR(std::log2(e1.force / e2.force), order, 0.4) << d << " quad " << quad;
        EXPECT_NEAR(std::log2(e1.potential / e2.potential), order, 0.4) << d << " quad " << quad;
      }
      const Err e = node_error(s, soft, 10.0, quad);
      EXPECT_LT(e.force, quad ? 2e-4 : 5e-3);
    }
  }
}

}  // namespace
}  // namespace weft::gravity
