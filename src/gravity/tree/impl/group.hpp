// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "kernels.hpp"
#include "kernels_single.hpp"
#include "weft/gravity/tree.hpp"

// One group walk's parts, shared by the walk of one rank's tree (walk.cpp)
// and the walk of the distributed tree (distributed.cpp): the group's
// opening criterion, its interaction lists, and their evaluation for each
// target of the group. A group is a Morton cell of at most kGroup targets.
namespace weft::gravity::impl {

// kGuard: a node is always opened when the group's box meets its cube
// enlarged by this factor (Gadget-2 uses 1.2 in its relative criterion):
// no node is used whole for a target inside it or just outside it, whatever
// the criterion says, and a target that is a source never meets itself in
// a multipole.
inline constexpr double kGuard = 1.2;
// kGroup: most targets in one group walk.
inline constexpr std::int64_t kGroup = 128;

// Lists are the interaction lists of one group walk and what the walk did.
struct Lists {
  PointList points;    // sources and monopole nodes
  QuadList quads;      // nodes with quadrupoles
  SingleLists single;  // both in float, for TreeConfig::single_precision
  std::int64_t opened = 0, used = 0, particles = 0;  // this group's counts
  WalkStats stats;                                   // summed over the lists' groups
  std::int64_t remote_hits = 0;  // distributed tree: remote nodes found through a parent's entry
  void clear() noexcept {
    points.clear();
    quads.clear();
    opened = used = particles = 0;
  }
};

// Walk holds what every group of one accelerations() call shares.
struct Walk {
  bool plummer = false;
  double eps2 = 0, h = 0, h2 = -1, h_inv = 0;
  bool relative = false;  // relative criterion with old accelerations
  bool quad = true;
  bool single = true;  // lists evaluated in float (kernels_single.hpp)
  // units of the float lists (set by the caller: the tree's side and mass)
  double length_unit = 1, mass_unit = 1;
  double inv_theta = 2, tolerance = 0, G = 1;

  Walk(const TreeConfig& c, const Softening& soft, double G_, bool have_old)
      : plummer(soft.kind == SofteningKind::plummer),
        eps2(plummer ? soft.epsilon * soft.epsilon : 0.0),
        h(spline_support(soft)),
        h2(plummer ? -1.0 : h * h),
        h_inv(plummer ? 0.0 : 1.0 / h),
        relative(c.opening == Opening::relative && have_old),
        quad(c.quadrupole),
        single(c.single_precision),
        inv_theta(1.0 / c.theta),
        tolerance(c.tolerance),
        G(G_) {}
};

// Group is one group's box and criterion: the smallest |a_old| of the group
// sets the relative criterion's limit (any target without one makes the
// group use Barnes-Hut).
struct Group {
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  bool barnes_hut = true;
  double limit = std::numeric_limits<double>::infinity();
  // either: open when either criterion says so (Barnes-Hut, and the
  // relative one with `limit`): a box whose targets mix both, as a whole
  // rank's box does when some of its targets have no old acceleration.
  bool either = false;

  Group() = default;

  // Group() spans targets[order[g0..g1)].
  Group(const Walk& w, std::span<const Vec3> targets, const std::vector<std::size_t>& order,
        std::size_t g0, std::size_t g1, std::span<const double> old_acc) {
    for (int d = 0; d < 3; ++d) lo[d] = hi[d] = targets[order[g0]][d];
    barnes_hut = !w.relative;
    for (std::size_t k = g0; k < g1; ++k) {
      const std::size_t t = order[k];
      for (int d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], targets[t][d]);
        hi[d] = std::max(hi[d], targets[t][d]);
      }
      if (w.relative) {
        if (old_acc[t] > 0.0) {
          limit = std::min(limit, w.tolerance * old_acc[t] / w.G);
        } else {
          barnes_hut = true;
        }
      }
    }
  }

  // open() says whether node nd must be opened for this group (else it is
  // used whole).
  bool open(const Walk& w, const TreeNode& nd) const noexcept {
    double d2 = 0;
    bool guard = true;
    const double reach = 0.5 * kGuard * nd.side;
    for (int d = 0; d < 3; ++d) {
      const double c = nd.com[d];
      const double e = std::max(std::max(lo[d] - c, c - hi[d]), 0.0);
      d2 += e * e;
      guard = guard && lo[d] < nd.center[d] + reach && hi[d] > nd.center[d] - reach;
    }
    if (guard) return true;
    if (!w.plummer) {  // no source of a node used whole within h of a target
      const double near = w.h + nd.bmax;
      if (d2 < near * near) return true;
    }
    const double l2 = nd.side * nd.side;
    if (barnes_hut || either) {
      const double r_open = nd.side * w.inv_theta + nd.offset;
      const bool bh_open = d2 < r_open * r_open;
      if (bh_open || !either) return bh_open;  // either: the relative test decides the rest
    }
    if (w.quad) return nd.mass * l2 * nd.side > limit * d2 * d2 * std::sqrt(d2);
    return nd.mass * l2 > limit * d2 * d2;
  }
};

// use_whole() puts node nd in the lists as one multipole.
inline void use_whole(const Walk& w, const TreeNode& nd, Lists& L) {
  ++L.used;
  if (w.quad && nd.count > 1) {
    L.quads.push(nd.com, nd.mass, nd.quad, w.plummer ? nd.trace : 0.0);
  } else {
    L.points.push(nd.com[0], nd.com[1], nd.com[2], nd.mass, -1);
  }
}

// walk_range() is the inner loop of every group walk: nodes [first, end)
// of a depth-first array with next pointers (whole subtrees) go into the
// lists as the group's criterion says. missing(k, node) is asked of every
// node to be opened: true when the caller handled it (its children are not
// in the array); sources(node) pushes the sources of an opened leaf.
template <class Missing, class Sources>
void walk_range(const TreeNode* nodes, std::int32_t first, std::int32_t end, const Walk& w,
                const Group& g, Lists& L, Missing missing, Sources sources) {
  std::int32_t k = first;
  while (k < end) {
    const TreeNode& nd = nodes[k];
    if (!g.open(w, nd)) {
      use_whole(w, nd, L);
      k = nd.next;
      continue;
    }
    if (missing(k, nd)) {
      k = nd.next;
      continue;
    }
    ++L.opened;
    if (!nd.leaf) {
      ++k;  // first child
      continue;
    }
    sources(nd);
    L.particles += nd.count;
    k = nd.next;
  }
}

// evaluate() computes acc, pot and cost of targets[order[g0..g1)] from the
// lists; self(t) is the curve position of the source that is target t in
// the lists' point ids (-2 if none).
template <class Self>
void evaluate(const Walk& w, Lists& L, std::span<const Vec3> targets,
              const std::vector<std::size_t>& order, std::size_t g0, std::size_t g1, Self self,
              std::span<Vec3> acc, std::span<double> pot, std::span<std::int32_t> cost) {
  if (w.single) {
    const Vec3& first = targets[order[g0]];
    const double origin[3] = {first[0], first[1], first[2]};
    L.single.fill(L.points, L.quads, origin, w.length_unit, w.mass_unit);
  }
  for (std::size_t kk = g0; kk < g1; ++kk) {
    const std::size_t t = order[kk];
    const double tp[3] = {targets[t][0], targets[t][1], targets[t][2]};
    const std::int64_t s_index = self(t);
    Sums s;
    if (w.single) sums_single(L.single, L.points, tp, s_index, w.eps2, w.h2, w.h_inv, s);
    if (!w.single || !(std::isfinite(s.ax) && std::isfinite(s.ay) && std::isfinite(s.az) &&
                       std::isfinite(s.phi))) {
      s = Sums{};
      points(L.points, tp, s_index, w.eps2, w.h2, w.h_inv, s);
      quadrupoles(L.quads, tp, w.eps2, s);
    }
    acc[t] = Vec3(w.G * s.ax, w.G * s.ay, w.G * s.az);
    if (!pot.empty()) pot[t] = -w.G * s.phi;
    const std::int64_t mine = L.particles - (s_index >= 0 ? 1 : 0);
    if (!cost.empty()) cost[t] = static_cast<std::int32_t>(L.used + mine);
    L.stats.node_interactions += L.used;
    L.stats.particle_interactions += mine;
  }
  L.stats.nodes_opened += L.opened;
  ++L.stats.walks;
}

// target_groups() orders targets along the Morton curve of `cube` (ties
// in input order) and cuts them into groups: group g is
// order[bounds[g] .. bounds[g + 1]). active: empty (every target) or one
// flag per target: only flagged targets are in order.
void target_groups(std::span<const Vec3> targets, const Cube& cube, std::vector<std::size_t>& order,
                   std::vector<std::int64_t>& bounds, std::span<const char> active = {});

// group_bounds() splits sorted target keys [begin, end) into Morton cells of
// at most kGroup targets (or the deepest level), in curve order, appending
// each cell's end to bounds.
void group_bounds(const std::vector<std::uint64_t>& keys, std::int64_t begin, std::int64_t end,
                  int level, std::vector<std::int64_t>& bounds);

}  // namespace weft::gravity::impl
