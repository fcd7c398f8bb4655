// SPDX-License-Identifier: Apache-2.0
// Tree walk: one target at a time, in curve order, building interaction
// lists that impl/kernels.hpp evaluates in SIMD batches.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "impl/kernels.hpp"
#include "impl/morton.hpp"
#include "weft/go/blocks.hpp"
#include "weft/gravity/tree.hpp"

namespace weft::gravity {

namespace {

// kGuard: a node is always opened when the target lies inside its cube
// enlarged by this factor (Gadget-2 uses 1.2 in its relative criterion):
// no node is used whole for a target inside it or just outside it, whatever
// the criterion says, and a target that is a source never meets itself in
// a multipole.
constexpr double kGuard = 1.2;

// Lists are one worker's interaction lists, reused from target to target.
struct Lists {
  impl::PointList points;  // sources and monopole nodes, kernel 1/sqrt(r^2 + eps2)
  impl::QuadList quads;    // nodes with quadrupoles
  impl::PointList soft;    // inside the spline's support
  WalkStats stats;
};

struct Criterion {
  bool barnes_hut;
  bool quadrupole;
  double inv_theta;  // 1 / theta
  double limit;      // relative: alpha |a_old| / G
};

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

  // Targets in curve order, so that consecutive walks (one worker's block)
  // meet the same nodes.
  const double scale = double(impl::kCells) / root_side_;
  std::vector<std::uint64_t> keys(nt);
  for (std::size_t k = 0; k < nt; ++k) {
    keys[k] = impl::morton_key(targets[k][0], targets[k][1], targets[k][2], origin_, scale);
  }
  std::vector<std::size_t> order(nt);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });

  const bool plummer = soft.kind == SofteningKind::plummer;
  const double eps2 = plummer ? soft.epsilon * soft.epsilon : 0.0;
  const double h = spline_support(soft), h2 = h * h, h_inv = plummer ? 0.0 : 1.0 / h;
  const bool relative = config_.opening == Opening::relative && !old_acc.empty();
  const bool quad = config_.quadrupole;
  const TreeNode* nodes = nodes_.data();
  const auto nnodes = static_cast<std::int32_t>(nodes_.size());
  const double *sx = x_.data(), *sy = y_.data(), *sz = z_.data(), *sm = m_.data();

  std::vector<Lists> lists(static_cast<std::size_t>(std::max(1, threads)));
  const std::int64_t block = 64;
  const std::int64_t nblocks = (static_cast<std::int64_t>(nt) + block - 1) / block;

  go::parallel_blocks(
      threads, nblocks,
      [&](std::int64_t b, int w) {
        Lists& L = lists[static_cast<std::size_t>(w)];
        const auto k1 = std::min(nt, static_cast<std::size_t>((b + 1) * block));
        for (auto k0 = static_cast<std::size_t>(b * block); k0 < k1; ++k0) {
          const std::size_t t = order[k0];
          const double tx = targets[t][0], ty = targets[t][1], tz = targets[t][2];
          const std::int64_t self = self_index.empty() || self_index[t] < 0
                                        ? -1
                                        : rank_of_[static_cast<std::size_t>(self_index[t])];
          Criterion crit{true, quad, 1.0 / config_.theta, 0.0};
          if (relative && old_acc[t] > 0.0) {
            crit.barnes_hut = false;
            crit.limit = config_.tolerance * old_acc[t] / G;
          }
          L.points.clear();
          L.quads.clear();
          L.soft.clear();
          std::int64_t opened = 0, used = 0;
          std::int32_t k = 0;
          while (k < nnodes) {
            const TreeNode& nd = nodes[k];
            const double dx = tx - nd.com[0], dy = ty - nd.com[1], dz = tz - nd.com[2];
            const double r2 = dx * dx + dy * dy + dz * dz;
            const double reach = 0.5 * kGuard * nd.side;
            bool open = std::abs(tx - nd.center[0]) < reach &&
                        std::abs(ty - nd.center[1]) < reach && std::abs(tz - nd.center[2]) < reach;
            if (!open) {
              const double l2 = nd.side * nd.side;
              if (crit.barnes_hut) {
                const double reach_bh = nd.side * crit.inv_theta + nd.offset;
                open = r2 < reach_bh * reach_bh;
              } else if (crit.quadrupole) {
                open = nd.mass * l2 * nd.side > crit.limit * r2 * r2 * std::sqrt(r2);
              } else {
                open = nd.mass * l2 > crit.limit * r2 * r2;
              }
            }
            if (!open) {  // the node whole
              ++used;
              if (r2 < h2) {
                L.soft.push(dx, dy, dz, nd.mass);
              } else if (quad && nd.count > 1) {
                L.quads.push(dx, dy, dz, nd.mass, nd.quad, plummer ? nd.trace : 0.0);
              } else {
                L.points.push(dx, dy, dz, nd.mass);
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
              if (i == self) continue;
              const auto j = static_cast<std::size_t>(i);
              const double px = tx - sx[j], py = ty - sy[j], pz = tz - sz[j];
              if (px * px + py * py + pz * pz < h2) {
                L.soft.push(px, py, pz, sm[j]);
              } else {
                L.points.push(px, py, pz, sm[j]);
              }
            }
            k = nd.next;
          }
          impl::Sums s;
          impl::monopoles(L.points, eps2, s);
          impl::quadrupoles(L.quads, eps2, s);
          impl::softened(L.soft, h_inv, s);
          acc[t] = Vec3(G * s.ax, G * s.ay, G * s.az);
          if (!pot.empty()) pot[t] = -G * s.phi;
          const auto n_all =
              static_cast<std::int64_t>(L.points.size() + L.quads.size() + L.soft.size());
          if (!cost.empty()) cost[t] = static_cast<std::int32_t>(n_all);
          L.stats.node_interactions += used;
          L.stats.particle_interactions += n_all - used;
          L.stats.nodes_opened += opened;
        }
      },
      "gravity.walk");

  for (const Lists& L : lists) {
    total.node_interactions += L.stats.node_interactions;
    total.particle_interactions += L.stats.particle_interactions;
    total.nodes_opened += L.stats.nodes_opened;
  }
  return total;
}

}  // namespace weft::gravity
