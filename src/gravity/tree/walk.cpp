// SPDX-License-Identifier: Apache-2.0
// Tree walk: one walk per group of nearby targets (a cell of the targets'
// Morton order holding at most kGroup of them), building one interaction
// list that impl/kernels.hpp evaluates for each target of the group in
// SIMD batches. Opening decisions use the distance from a node to the
// group's bounding box, so every target of the group sees a list at least
// as accurate as its own walk would give.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "impl/kernels.hpp"
#include "impl/morton.hpp"
#include "weft/go/blocks.hpp"
#include "weft/gravity/tree.hpp"

namespace weft::gravity {

namespace {

// kGuard: a node is always opened when the group's box meets its cube
// enlarged by this factor (Gadget-2 uses 1.2 in its relative criterion):
// no node is used whole for a target inside it or just outside it, whatever
// the criterion says, and a target that is a source never meets itself in
// a multipole.
constexpr double kGuard = 1.2;
// kGroup: most targets in one group walk.
constexpr std::int64_t kGroup = 64;

// Lists are one worker's interaction lists, reused from group to group.
struct Lists {
  impl::PointList points;  // sources and monopole nodes
  impl::QuadList quads;    // nodes with quadrupoles
  WalkStats stats;
};

// groups() splits the sorted target keys [begin, end) into Morton cells of
// at most kGroup targets (or the deepest level), in curve order.
void groups(const std::vector<std::uint64_t>& keys, std::int64_t begin, std::int64_t end, int level,
            std::vector<std::int64_t>& bounds) {
  if (end - begin <= kGroup || level >= kMaxTreeDepth) {
    bounds.push_back(end);
    return;
  }
  std::int64_t b = begin;
  for (int oct = 0; oct < 8; ++oct) {
    const auto e = static_cast<std::int64_t>(
        std::partition_point(keys.begin() + b, keys.begin() + end,
                             [&](std::uint64_t k) { return impl::octant(k, level) <= oct; }) -
        keys.begin());
    if (e > b) groups(keys, b, e, level + 1, bounds);
    b = e;
  }
}

}  // namespace

WalkStats Tree::accelerations(std::span<const Vec3> targets,
                              std::span<const std::int64_t> self_index,
                              std::span<const double> old_acc, const Softening& soft, double G,
                              std::span<Vec3> acc, std::span<double> pot, int threads,
                              std::span<std::int32_t> cost) const {
  const std::size_t nt = targets.size();
  auto check = [&](std::size_t got, const char* what, bool optional) {
    if (got != nt && !(optional && got == 0)) {
      throw std::invalid_argument(std::string("gravity::Tree::accelerations: ") + what + " has " +
                                  std::to_string(got) + " entries for " + std::to_string(nt) +
                                  " targets");
    }
  };
  check(acc.size(), "acc", false);
  check(pot.size(), "pot", true);
  check(self_index.size(), "self_index", true);
  check(old_acc.size(), "old_acc", true);
  check(cost.size(), "cost", true);
  WalkStats total;
  total.targets = static_cast<std::int64_t>(nt);
  if (nodes_.empty()) {
    std::fill(acc.begin(), acc.end(), Vec3::Zero());
    std::fill(pot.begin(), pot.end(), 0.0);
    std::fill(cost.begin(), cost.end(), 0);
    return total;
  }

  // Targets in curve order, cut into groups.
  const double scale = double(impl::kCells) / root_side_;
  std::vector<std::uint64_t> tkeys(nt);
  for (std::size_t k = 0; k < nt; ++k) {
    tkeys[k] = impl::morton_key(targets[k][0], targets[k][1], targets[k][2], origin_, scale);
  }
  std::vector<std::size_t> order(nt);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return tkeys[a] < tkeys[b]; });
  std::vector<std::uint64_t> sorted(nt);
  for (std::size_t k = 0; k < nt; ++k) sorted[k] = tkeys[order[k]];
  std::vector<std::int64_t> bounds{0};
  groups(sorted, 0, static_cast<std::int64_t>(nt), 0, bounds);

  const bool plummer = soft.kind == SofteningKind::plummer;
  const double eps2 = plummer ? soft.epsilon * soft.epsilon : 0.0;
  const double h = spline_support(soft), h2 = plummer ? -1.0 : h * h;
  const double h_inv = plummer ? 0.0 : 1.0 / h;
  const bool relative = config_.opening == Opening::relative && !old_acc.empty();
  const bool quad = config_.quadrupole;
  const double inv_theta = 1.0 / config_.theta;
  const TreeNode* nodes = nodes_.data();
  const auto nnodes = static_cast<std::int32_t>(nodes_.size());
  const double *sx = x_.data(), *sy = y_.data(), *sz = z_.data(), *sm = m_.data();

  std::vector<Lists> lists(static_cast<std::size_t>(std::max(1, threads)));
  const auto ngroups = static_cast<std::int64_t>(bounds.size()) - 1;

  go::parallel_blocks(
      threads, ngroups,
      [&](std::int64_t g, int w) {
        Lists& L = lists[static_cast<std::size_t>(w)];
        const auto g0 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(g)]);
        const auto g1 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(g) + 1]);
        // the group's box and criterion (the smallest |a_old| of the group)
        double lo[3], hi[3];
        for (int d = 0; d < 3; ++d) lo[d] = hi[d] = targets[order[g0]][d];
        bool barnes_hut = !relative;
        double limit = std::numeric_limits<double>::infinity();
        for (std::size_t k = g0; k < g1; ++k) {
          const std::size_t t = order[k];
          for (int d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], targets[t][d]);
            hi[d] = std::max(hi[d], targets[t][d]);
          }
          if (relative) {
            if (old_acc[t] > 0.0) {
              limit = std::min(limit, config_.tolerance * old_acc[t] / G);
            } else {
              barnes_hut = true;
            }
          }
        }
        L.points.clear();
        L.quads.clear();
        std::int64_t opened = 0, used = 0, particles = 0;
        std::int32_t k = 0;
        while (k < nnodes) {
          const TreeNode& nd = nodes[k];
          // distance from the centre of mass to the group's box
          double d2 = 0;
          bool guard = true;
          const double reach = 0.5 * kGuard * nd.side;
          for (int d = 0; d < 3; ++d) {
            const double c = nd.com[d];
            const double e = std::max(std::max(lo[d] - c, c - hi[d]), 0.0);
            d2 += e * e;
            guard = guard && lo[d] < nd.center[d] + reach && hi[d] > nd.center[d] - reach;
          }
          bool open = guard;
          if (!open && !plummer) {  // no source of a node used whole within h of a target
            const double near = h + nd.bmax;
            open = d2 < near * near;
          }
          if (!open) {
            const double l2 = nd.side * nd.side;
            if (barnes_hut) {
              const double r_open = nd.side * inv_theta + nd.offset;
              open = d2 < r_open * r_open;
            } else if (quad) {
              open = nd.mass * l2 * nd.side > limit * d2 * d2 * std::sqrt(d2);
            } else {
              open = nd.mass * l2 > limit * d2 * d2;
            }
          }
          if (!open) {  // the node whole
            ++used;
            if (quad && nd.count > 1) {
              L.quads.push(nd.com, nd.mass, nd.quad, plummer ? nd.trace : 0.0);
            } else {
              L.points.push(nd.com[0], nd.com[1], nd.com[2], nd.mass, -1);
            }
            k = nd.next;
            continue;
          }
          ++opened;
          if (!nd.leaf) {
            ++k;  // first child
            continue;
          }
          const std::int64_t i1 = std::int64_t{nd.begin} + nd.count;
          for (std::int64_t i = nd.begin; i < i1; ++i) {
            const auto j = static_cast<std::size_t>(i);
            L.points.push(sx[j], sy[j], sz[j], sm[j], i);
          }
          particles += nd.count;
          k = nd.next;
        }
        for (std::size_t kk = g0; kk < g1; ++kk) {
          const std::size_t t = order[kk];
          const double tp[3] = {targets[t][0], targets[t][1], targets[t][2]};
          const std::int64_t self = self_index.empty() || self_index[t] < 0
                                        ? -2
                                        : rank_of_[static_cast<std::size_t>(self_index[t])];
          impl::Sums s;
          impl::points(L.points, tp, self, eps2, h2, h_inv, s);
          impl::quadrupoles(L.quads, tp, eps2, s);
          acc[t] = Vec3(G * s.ax, G * s.ay, G * s.az);
          if (!pot.empty()) pot[t] = -G * s.phi;
          const std::int64_t mine = particles - (self >= 0 ? 1 : 0);
          if (!cost.empty()) cost[t] = static_cast<std::int32_t>(used + mine);
          L.stats.node_interactions += used;
          L.stats.particle_interactions += mine;
        }
        L.stats.nodes_opened += opened;
        ++L.stats.walks;
      },
      "gravity.walk");

  for (const Lists& L : lists) {
    total.node_interactions += L.stats.node_interactions;
    total.particle_interactions += L.stats.particle_interactions;
    total.nodes_opened += L.stats.nodes_opened;
    total.walks += L.stats.walks;
  }
  return total;
}

}  // namespace weft::gravity
