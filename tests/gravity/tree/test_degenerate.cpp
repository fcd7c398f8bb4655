// SPDX-License-Identifier: Apache-2.0
// gravity.tree.degenerate: empty, one and two sources, a tiny region,
// coincident sources (the tree terminates at kMaxTreeDepth with them in one
// leaf), and configurations the tree refuses.
#include <gtest/gtest.h>

#include "support.hpp"
#include "weft/core/error.hpp"

namespace weft::gravity {
namespace {

const Softening kSoft{SofteningKind::spline, 0.01};

std::vector<std::int64_t> iota(std::size_t n) {
  std::vector<std::int64_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(i);
  return v;
}

// max_error() of the tree against direct summation at every source.
double max_error(const test::Sources& s, TreeConfig c) {
  Tree tree(c);
  tree.build(s.pos, s.mass, 1);
  const auto which = iota(s.pos.size());
  std::vector<Vec3> acc;
  std::vector<double> pot;
  test::direct(s, which, kSoft, 1.0, acc, pot);
  const test::Errors e = test::tree_errors(tree, s, which, acc, pot, kSoft, 1.0, false);
  return std::max(test::percentile(e.force, 100), test::percentile(e.potential, 100));
}

TEST(Degenerate, NoSources) {
  Tree tree({});
  tree.build({}, {}, 1);
  EXPECT_TRUE(tree.nodes().empty());
  std::vector<Vec3> t{Vec3(1, 2, 3)}, acc(1, Vec3::Ones());
  std::vector<double> pot(1, 5.0);
  tree.accelerations(t, {}, {}, kSoft, 1.0, acc, pot, 1);
  EXPECT_EQ(acc[0], Vec3::Zero());
  EXPECT_EQ(pot[0], 0.0);
}

TEST(Degenerate, OneSource) {
  Tree tree({});
  const std::vector<Vec3> pos{Vec3(0.5, -1, 2)};
  const std::vector<double> mass{3.0};
  tree.build(pos, mass, 1);
  ASSERT_EQ(tree.nodes().size(), 1u);
  // itself: nothing; a target at distance 2 along x: G m / 4 towards it
  std::vector<Vec3> t{pos[0], pos[0] + Vec3(2, 0, 0)}, acc(2);
  std::vector<double> pot(2);
  const std::vector<std::int64_t> self{0, -1};
  tree.accelerations(t, self, {}, kSoft, 2.0, acc, pot, 1);
  EXPECT_EQ(acc[0], Vec3::Zero());
  EXPECT_EQ(pot[0], 0.0);
  EXPECT_NEAR(acc[1][0], -2.0 * 3.0 / 4.0, 1e-15);
  EXPECT_EQ(acc[1][1], 0.0);
  EXPECT_NEAR(pot[1], -2.0 * 3.0 / 2.0, 1e-15);
}

TEST(Degenerate, TwoSourcesInsideAndOutsideSoftening) {
  for (double sep : {0.005, 0.02, 0.5}) {  // u = 0.18, 0.71 and Newtonian
    const std::vector<Vec3> pos{Vec3(0, 0, 0), Vec3(sep, 0, 0)};
    const std::vector<double> mass{1.0, 2.0};
    Tree tree({});
    tree.build(pos, mass, 1);
    std::vector<Vec3> acc(2);
    std::vector<double> pot(2);
    tree.accelerations(pos, iota(2), {}, kSoft, 1.0, acc, pot, 1);
    const double g = pair_force(sep * sep, kSoft), phi = pair_potential(sep * sep, kSoft);
    EXPECT_NEAR(acc[0][0], 2.0 * g * sep, 1e-12 * g * sep) << sep;
    EXPECT_NEAR(acc[1][0], -1.0 * g * sep, 1e-12 * g * sep) << sep;
    EXPECT_NEAR(pot[0], -2.0 * phi, 1e-12 * phi);
    EXPECT_NEAR(pot[1], -1.0 * phi, 1e-12 * phi);
  }
}

TEST(Degenerate, TinyRegion) {
  // 2000 sources in a region of size ~1e-8 (1e-10 a), all inside
  // each other's softening.
  test::Sources s = test::plummer_sphere(2000, 5);
  for (Vec3& p : s.pos) p = Vec3(1e-3, -2e-3, 5e-4) + 1e-10 * p;
  EXPECT_LT(max_error(s, {.theta = 0.7}), 1e-6);
}

TEST(Degenerate, CoincidentSources) {
  // 600 sources at one point among a Plummer sphere of 3000.
  test::Sources s = test::plummer_sphere(3000, 11);
  for (std::size_t i = 0; i < 600; ++i) s.pos[i * 5] = Vec3(0.25, 0.125, -0.5);
  Tree tree({});
  tree.build(s.pos, s.mass, 2);
  EXPECT_LE(tree.depth(), kMaxTreeDepth);
  bool found = false;
  for (const TreeNode& n : tree.nodes()) {
    EXPECT_TRUE(n.leaf || n.count > tree.config().leaf_size);
    if (n.leaf && n.count >= 600) found = n.level == kMaxTreeDepth;
  }
  EXPECT_TRUE(found) << "the coincident sources share one leaf at the deepest level";
  EXPECT_LT(max_error(s, {.theta = 0.5}), 2e-2);
  // All at one point: no force; each potential is -G (N - 1) m phi(0).
  test::Sources one;
  one.pos.assign(100, Vec3(1, 1, 1));
  one.mass.assign(100, 0.01);
  Tree t2({});
  t2.build(one.pos, one.mass, 1);
  std::vector<Vec3> acc(100);
  std::vector<double> pot(100);
  t2.accelerations(one.pos, iota(100), {}, kSoft, 1.0, acc, pot, 1);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(acc[i], Vec3::Zero());
    EXPECT_NEAR(pot[i], -99 * 0.01 / 0.01, 1e-10);
  }
}

TEST(Degenerate, FloatOverflowFallsBackToDouble) {
  // A tight cluster of 20 sources in a tree of side ~1 (leaves of 8): its deepest non-leaf
  // node (side 2^-20) is used whole for a target 2.5e-6 away, where r^-7
  // (~1e39) overflows float. That target's sums are computed again in
  // double: the same bits as a double walk. A target far away keeps the
  // float evaluation (close to, not equal to, double).
  test::Sources s;
  s.pos = {Vec3(0, 0, 0), Vec3(1, 1, 1)};
  s.mass = {1.0, 1.0};
  std::mt19937_64 rng(9);
  for (int i = 0; i < 20; ++i) {
    s.pos.push_back(Vec3(0.5, 0.5, 0.5) +
                    1e-8 * Vec3(test::uniform01(rng), test::uniform01(rng), test::uniform01(rng)));
    s.mass.push_back(0.01);
  }
  const Softening tiny{SofteningKind::spline, 1e-10};
  const std::vector<Vec3> targets{Vec3(0.5 + 2.5e-6, 0.5, 0.5), Vec3(0.9, 0.1, 0.3)};
  std::vector<Vec3> acc[2];
  std::vector<double> pot[2];
  for (int single = 0; single < 2; ++single) {
    Tree tree({.theta = 0.5, .quadrupole = true, .leaf_size = 8, .single_precision = single == 1});
    tree.build(s.pos, s.mass, 1);
    acc[single].resize(2);
    pot[single].resize(2);
    const WalkStats st =
        tree.accelerations(targets, {}, {}, tiny, 1.0, acc[single], pot[single], 1);
    EXPECT_GT(st.node_interactions, 0);
  }
  EXPECT_TRUE(acc[1][0].allFinite());
  EXPECT_EQ(acc[1][0], acc[0][0]) << "the overflowing target is computed in double";
  EXPECT_EQ(pot[1][0], pot[0][0]);
  EXPECT_NE(acc[1][1], acc[0][1]) << "the other target stays in float";
  EXPECT_LT((acc[1][1] - acc[0][1]).norm(), 1e-6 * acc[0][1].norm());
}

TEST(Degenerate, RefusedConfigurations) {
  for (double theta : {0.0, -0.1, 1.6}) EXPECT_THROW(Tree({.theta = theta}), InputError) << theta;
  EXPECT_NO_THROW(Tree({.theta = 1.5}));
  EXPECT_THROW(Tree({.tolerance = 0.0}), InputError);
  EXPECT_THROW(Tree({.leaf_size = 0}), InputError);
  Tree tree({});
  const std::vector<Vec3> pos(3, Vec3::Zero());
  const std::vector<double> mass(2, 1.0);
  EXPECT_THROW(tree.build(pos, mass, 1), std::invalid_argument);
}

}  // namespace
}  // namespace weft::gravity
