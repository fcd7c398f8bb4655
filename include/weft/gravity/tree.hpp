// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "weft/gravity/softening.hpp"

// The Barnes–Hut tree of the gravity application: an octree over sources
// sorted along the Morton curve, with monopole and quadrupole moments, the
// geometric (Barnes–Hut) and Gadget-2's relative opening criteria, and
// interaction lists evaluated in SIMD batches. Targets are walked in groups
// (a Morton cell of at most 64 targets shares one walk and one interaction
// list); every criterion below measures the distance d from a node's
// centre of mass to the group's bounding box, so each target is treated
// at least as conservatively as by its own walk. A node is always opened
// when the group's box meets the node's cube enlarged 1.2 times, and (spline
// softening) when d < h + bmax: no node is used whole if one of its sources
// may lie within the kernel's support of a target, so multipoles are always
// Newtonian there (Plummer: multipoles of the softened potential).
// docs/gravity-tree.md describes the algorithms, choices and accuracy.
namespace weft::gravity {

// Opening is the deck's gravity.opening: "barnes_hut" | "relative".
enum class Opening { barnes_hut, relative };

// TreeConfig is how the tree is built and walked (the deck's gravity keys).
struct TreeConfig {
  Opening opening = Opening::barnes_hut;
  // theta: Barnes–Hut opening angle, in (0, 1.5]: a node of side l whose
  // centre of mass is at distance d from the target and at delta from the
  // centre of its cube is used whole when d > l / theta + delta (Barnes
  // 1994: l/d < theta with d measured from the far side of the cube's
  // centre, so a node whose mass sits in a corner is not trusted as much
  // as its side suggests). Also the criterion of a call without old
  // accelerations.
  double theta = 0.5;
  // tolerance: the relative criterion's alpha (Gadget-2's ErrTolForceAcc),
  // > 0: a node of mass M and side l at distance r is used whole when
  //   G M l^2 / r^4 <= alpha |a_old|  (monopole: the size of the dropped
  //                                    quadrupole term), or
  //   G M l^3 / r^5 <= alpha |a_old|  (quadrupole: the dropped octupole term).
  double tolerance = 0.0025;
  bool quadrupole = true;  // quadrupole moments; monopole only when false
  int leaf_size = 32;      // most sources in a leaf (>= 1; coincident ones excepted)
  // single_precision: interaction lists evaluated in float relative to each
  // group (~1e-6 relative difference from double, far below the opening
  // criterion's error; twice the SIMD lanes); false: in double.
  bool single_precision = true;
};

using Vec3 = Eigen::Vector3d;

// kMaxTreeDepth is the deepest level (root 0): 21 bits per axis of the
// Morton key. Sources closer together than root side / 2^21 share a leaf,
// however many they are (coincident sources included).
inline constexpr int kMaxTreeDepth = 21;

// Cube is the root cell of a tree: lower corner `origin` and `side`
// (length). Cells of trees built in the same cube are the same cells.
struct Cube {
  double origin[3] = {0, 0, 0};
  double side = 1;
};

// cube_of_box() is the cube of a bounding box [lo, hi]: its largest extent
// (times 1 + 1e-12), centred on the box; a box of one point gets a cube of
// side max(1, |point|).
Cube cube_of_box(const double lo[3], const double hi[3]) noexcept;

// curve_key() is the Morton key (63 bits) of point x in `cube` (clamped to
// the cube).
std::uint64_t curve_key(const Vec3& x, const Cube& cube) noexcept;

// KeyRange is a stretch [begin, end) of the Morton curve of a cube (keys of
// 63 bits: 21 per axis). The whole curve is {0, kEndOfCurve}.
inline constexpr std::uint64_t kEndOfCurve = std::uint64_t{1} << 63;
struct KeyRange {
  std::uint64_t begin = 0, end = kEndOfCurve;
};

namespace impl {
struct Walk;
struct Group;
struct Lists;
}  // namespace impl

// TreeNode is one node, in depth-first order (a node's children follow it;
// the root is node 0).
struct TreeNode {
  double com[3];       // centre of mass (length)
  double mass;         // total mass
  double center[3];    // centre of the node's cube
  double side;         // side of the cube l
  double offset;       // |com - center| (Barnes' delta, see TreeConfig::theta)
  double bmax;         // bounding extent: largest distance from com to a source
  std::int32_t next;   // the node after this one's subtree (node count at the end)
  std::int32_t begin;  // first source of the node, in curve order (order())
  std::int32_t count;  // number of sources
  std::int16_t leaf;   // 1: a leaf (its sources interact one by one when opened)
  std::int16_t level;  // depth, root 0
  // quad: traceless quadrupole about com, sum m (3 s s^T - |s|^2 I) with s the
  // offset from com, as xx, yy, zz, xy, xz, yz; trace: sum m |s|^2.
  double quad[6];
  double trace;
};

// WalkStats counts what one accelerations() call did.
struct WalkStats {
  std::int64_t targets = 0;
  std::int64_t node_interactions = 0;      // nodes used whole (multipoles)
  std::int64_t particle_interactions = 0;  // source-target pairs
  std::int64_t walks = 0;                  // group walks (one serves up to 64 nearby targets)
  std::int64_t nodes_opened = 0;           // nodes opened, summed over the walks
  // interactions_per_target() is (node + particle interactions) / targets.
  double interactions_per_target() const noexcept {
    return targets ? double(node_interactions + particle_interactions) / double(targets) : 0.0;
  }
};

// Tree is built over one rank's sources and walked for any targets. Not
// collective: each rank builds and walks its own. A built tree may be walked
// by several threads; build() must not run concurrently with a walk.
class Tree {
 public:
  // Tree() checks the configuration: theta in (0, 1.5], tolerance > 0,
  // leaf_size >= 1; weft::InputError naming the deck key otherwise.
  explicit Tree(const TreeConfig& config);

  // build() copies the sources (positions pos[i], masses mass[i] > 0, same
  // length) sorted along the Morton curve of their bounding cube and builds
  // the nodes and their moments. threads: workers of the go block loops
  // (fibers inside go::Executor::run(), else OpenMP); the result does not
  // depend on it. std::invalid_argument if the lengths differ.
  void build(std::span<const Vec3> pos, std::span<const double> mass, int threads);
  // build() in a given cube (every source inside it), where the sources all
  // lie in the curve stretch `own` of that cube: a node is a leaf only when
  // its whole cell lies in `own`, so every cell of the cube that lies in
  // `own` and holds sources is a node (complete(): its moments are those of
  // every source in the cell, on whichever rank, when ranks hold disjoint
  // stretches). The distributed tree builds each rank's tree this way.
  void build(std::span<const Vec3> pos, std::span<const double> mass, int threads, const Cube& cube,
             KeyRange own);

  // accelerations() computes for every target k the acceleration acc[k]
  // (length/time^2) and potential pot[k] (energy per mass, <= 0) due to all
  // sources, with gravitational constant G and softening soft.
  //   targets:    positions, any number (they need not be sources).
  //   self_index: empty (no target is a source) or one entry per target: the
  //               index in build()'s pos of the source that is this target,
  //               -1 if none. That source is left out (no self-force and no
  //               self-potential -G m phi(0)); a different source at the same
  //               place still counts, through the softening.
  //   old_acc:    empty (Barnes–Hut with config.theta for this call) or |a| of
  //               the previous step per target for the relative criterion;
  //               an entry <= 0 makes that target use Barnes–Hut.
  //               Ignored when config.opening is barnes_hut.
  //   acc, pot:   outputs, one per target (overwritten); pot may be empty.
  //   threads:    as in build(); results are bit-identical for any threads
  //               and either scheduler.
  //   cost:       empty or one per target: interactions of that target
  //               (work weight for load balancing).
  //   active:     empty (every target) or one flag per target: only flagged
  //               targets are computed (acc, pot, cost of the others are
  //               left as they are; block time steps). Which targets are
  //               walked together depends on it, so a target's result does
  //               too (within the opening criterion's error).
  // std::invalid_argument if the lengths disagree.
  WalkStats accelerations(std::span<const Vec3> targets, std::span<const std::int64_t> self_index,
                          std::span<const double> old_acc, const Softening& soft, double G,
                          std::span<Vec3> acc, std::span<double> pot, int threads,
                          std::span<std::int32_t> cost = {},
                          std::span<const char> active = {}) const;

  const TreeConfig& config() const noexcept { return config_; }
  // nodes() are the nodes of the last build (empty before, or with no sources).
  std::span<const TreeNode> nodes() const noexcept { return nodes_; }
  // order()[i] is the index in build()'s pos of the i-th source along the curve.
  std::span<const std::int64_t> order() const noexcept { return order_; }
  // depth() is the deepest node level of the last build.
  int depth() const noexcept { return depth_; }
  // cube() is the root cell of the last build.
  Cube cube() const noexcept;
  // complete() says whether node k's cell lies in the stretch the last
  // build owned (always, for a build without one).
  bool complete(std::int32_t k) const noexcept { return complete_[static_cast<std::size_t>(k)]; }
  // curve_position() of source i (an index into build()'s pos).
  std::int64_t curve_position(std::int64_t i) const noexcept {
    return rank_of_[static_cast<std::size_t>(i)];
  }
  // source() is the i-th source along the curve: x, y, z, mass.
  void source(std::int64_t i, double out[4]) const noexcept {
    const auto k = static_cast<std::size_t>(i);
    out[0] = x_[k], out[1] = y_[k], out[2] = z_[k], out[3] = m_[k];
  }
  // walk_nodes() adds the nodes [first, end) of this tree (whole subtrees in
  // depth-first order) to a group's interaction lists as the group's
  // criterion says: the inner loop of every group walk.
  void walk_nodes(std::int32_t first, std::int32_t end, const impl::Walk& walk,
                  const impl::Group& group, impl::Lists& lists) const;

 private:
  TreeConfig config_;
  std::vector<TreeNode> nodes_;
  std::vector<std::int64_t> order_;
  std::vector<std::int64_t> rank_of_;  // source index -> curve position
  std::vector<char> complete_;         // per node: its cell lies in the owned stretch
  // sources in curve order, structure of arrays
  std::vector<double> x_, y_, z_, m_;
  double origin_[3] = {0, 0, 0};  // lower corner of the root cube
  double root_side_ = 1.0;
  int depth_ = 0;
};

}  // namespace weft::gravity
