// SPDX-License-Identifier: Apache-2.0
// Tree walk: one walk per group of nearby targets (a cell of the targets'
// Morton order holding at most kGroup of them), building one interaction
// list that impl/kernels.hpp evaluates for each target of the group in
// SIMD batches. Opening decisions use the distance from a node to the
// group's bounding box, so every target of the group sees a list at least
// as accurate as its own walk would give (impl/group.hpp).
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "impl/group.hpp"
#include "impl/morton.hpp"
#include "weft/core/key_sort.hpp"
#include "weft/go/blocks.hpp"
#include "weft/gravity/tree.hpp"

namespace weft::gravity {

namespace impl {

void group_bounds(const std::vector<std::uint64_t>& keys, std::int64_t begin, std::int64_t end,
                  int level, std::vector<std::int64_t>& bounds) {
  if (end - begin <= kGroup || level >= kMaxTreeDepth) {
    bounds.push_back(end);
    return;
  }
  std::int64_t b = begin;
  for (int oct = 0; oct < 8; ++oct) {
    const auto e = static_cast<std::int64_t>(
        std::partition_point(keys.begin() + b, keys.begin() + end,
                             [&](std::uint64_t k) { return octant(k, level) <= oct; }) -
        keys.begin());
    if (e > b) group_bounds(keys, b, e, level + 1, bounds);
    b = e;
  }
}

void target_groups(std::span<const Vec3> targets, const Cube& cube, std::vector<std::size_t>& order,
                   std::vector<std::int64_t>& bounds, std::span<const char> active) {
  const double scale = double(kCells) / cube.side;
  std::vector<std::uint64_t> tkeys(targets.size());
  order.clear();
  for (std::size_t k = 0; k < targets.size(); ++k) {
    if (!active.empty() && !active[k]) continue;
    tkeys[k] = morton_key(targets[k][0], targets[k][1], targets[k][2], cube.origin, scale);
    order.push_back(k);
  }
  const std::size_t nt = order.size();
  std::vector<std::uint64_t> sorted;
  sort_indices_by_key(tkeys, order, &sorted);
  bounds.assign(1, 0);
  if (nt > 0) group_bounds(sorted, 0, static_cast<std::int64_t>(nt), 0, bounds);
}

}  // namespace impl

void Tree::walk_nodes(std::int32_t first, std::int32_t end, const impl::Walk& w,
                      const impl::Group& g, impl::Lists& L) const {
  const double *sx = x_.data(), *sy = y_.data(), *sz = z_.data(), *sm = m_.data();
  impl::walk_range(
      nodes_.data(), first, end, w, g, L, [](std::int32_t, const TreeNode&) { return false; },
      [&](const TreeNode& nd) {
        const std::int64_t i1 = std::int64_t{nd.begin} + nd.count;
        for (std::int64_t i = nd.begin; i < i1; ++i) {
          const auto j = static_cast<std::size_t>(i);
          L.points.push(sx[j], sy[j], sz[j], sm[j], i);
        }
      });
}

WalkStats Tree::accelerations(std::span<const Vec3> targets,
                              std::span<const std::int64_t> self_index,
                              std::span<const double> old_acc, const Softening& soft, double G,
                              std::span<Vec3> acc, std::span<double> pot, int threads,
                              std::span<std::int32_t> cost, std::span<const char> active) const {
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
  check(active.size(), "active", true);
  WalkStats total;
  // Targets in curve order, cut into groups.
  std::vector<std::size_t> order;
  std::vector<std::int64_t> bounds;
  impl::target_groups(targets, cube(), order, bounds, active);
  total.targets = static_cast<std::int64_t>(order.size());
  if (nodes_.empty()) {
    for (const std::size_t t : order) {
      acc[t] = Vec3::Zero();
      if (!pot.empty()) pot[t] = 0.0;
      if (!cost.empty()) cost[t] = 0;
    }
    return total;
  }

  impl::Walk w(config_, soft, G, !old_acc.empty());
  w.length_unit = root_side_;
  w.mass_unit = nodes_[0].mass;
  const auto nnodes = static_cast<std::int32_t>(nodes_.size());
  std::vector<impl::Lists> lists(static_cast<std::size_t>(std::max(1, threads)));
  const auto ngroups = static_cast<std::int64_t>(bounds.size()) - 1;
  auto self = [&](std::size_t t) -> std::int64_t {
    return self_index.empty() || self_index[t] < 0
               ? -2
               : rank_of_[static_cast<std::size_t>(self_index[t])];
  };

  // A group's result does not depend on the worker that walks it (its
  // lists are rebuilt per group; the stats are integer counts), so groups,
  // of very uneven cost, go to whichever worker is free.
  go::parallel_dynamic(
      threads, ngroups,
      [&](std::int64_t gi, int worker) {
        impl::Lists& L = lists[static_cast<std::size_t>(worker)];
        const auto g0 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi)]);
        const auto g1 = static_cast<std::size_t>(bounds[static_cast<std::size_t>(gi) + 1]);
        const impl::Group g(w, targets, order, g0, g1, old_acc);
        L.clear();
        walk_nodes(0, nnodes, w, g, L);
        impl::evaluate(w, L, targets, order, g0, g1, self, acc, pot, cost);
      },
      "gravity.walk");

  for (const impl::Lists& L : lists) {
    total.node_interactions += L.stats.node_interactions;
    total.particle_interactions += L.stats.particle_interactions;
    total.nodes_opened += L.stats.nodes_opened;
    total.walks += L.stats.walks;
  }
  return total;
}

}  // namespace weft::gravity
