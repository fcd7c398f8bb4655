// SPDX-License-Identifier: Apache-2.0
// Tree construction: Morton sort, depth-first nodes, moments.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "impl/morton.hpp"
#include "weft/core/error.hpp"
#include "weft/core/key_sort.hpp"
#include "weft/go/blocks.hpp"
#include "weft/gravity/tree.hpp"

namespace weft::gravity {

Tree::Tree(const TreeConfig& config) : config_(config) {
  if (!(config.theta > 0.0 && config.theta <= 1.5)) {
    throw InputError("gravity.theta = " + std::to_string(config.theta) +
                     " is outside (0, 1.5]: choose an opening angle such as 0.5");
  }
  if (!(config.tolerance > 0.0) || !std::isfinite(config.tolerance)) {
    throw InputError("gravity.tolerance = " + std::to_string(config.tolerance) +
                     " must be a finite number > 0 (Gadget-2's ErrTolForceAcc, e.g. 0.0025)");
  }
  if (config.leaf_size < 1) {
    throw InputError("gravity.leaf_size = " + std::to_string(config.leaf_size) +
                     " must be >= 1 (sources per leaf, e.g. 8)");
  }
}

namespace {

// Builder makes the depth-first node list over sorted keys.
struct Builder {
  const std::vector<std::uint64_t>& keys;
  int leaf_size;
  KeyRange own;
  std::vector<TreeNode>& nodes;
  std::vector<char>& complete;
  int depth = 0;

  // in_own() says whether the cell at `level` holding key lies in own.
  bool in_own(std::uint64_t key, int level) const noexcept {
    const int shift = 3 * (kMaxTreeDepth - level);
    const std::uint64_t base = shift >= 63 ? 0 : key >> shift << shift;
    const std::uint64_t size = std::uint64_t{1} << shift;
    return base >= own.begin && base + size <= own.end;
  }

  void make(std::int32_t begin, std::int32_t end, int level, const double center[3], double side) {
    const auto idx = static_cast<std::size_t>(nodes.size());
    nodes.emplace_back();
    {
      TreeNode& n = nodes.back();
      n = TreeNode{};
      for (int d = 0; d < 3; ++d) n.center[d] = center[d];
      n.side = side;
      n.begin = begin;
      n.count = end - begin;
      n.level = static_cast<std::int16_t>(level);
      const bool whole = in_own(keys[static_cast<std::size_t>(begin)], level);
      complete.push_back(whole ? 1 : 0);
      n.leaf = ((end - begin <= leaf_size && whole) || level >= kMaxTreeDepth) ? 1 : 0;
    }
    depth = std::max(depth, level);
    if (!nodes[idx].leaf) {
      std::int32_t b = begin;
      for (int oct = 0; oct < 8; ++oct) {
        const auto first = keys.begin() + b, last = keys.begin() + end;
        const auto e = static_cast<std::int32_t>(
            std::partition_point(first, last,
                                 [&](std::uint64_t k) { return impl::octant(k, level) <= oct; }) -
            keys.begin());
        if (e > b) {
          const double q = side / 4;
          const double c[3] = {center[0] + ((oct & 4) ? q : -q), center[1] + ((oct & 2) ? q : -q),
                               center[2] + ((oct & 1) ? q : -q)};
          make(b, e, level + 1, c, side / 2);
        }
        b = e;
      }
    }
    nodes[idx].next = static_cast<std::int32_t>(nodes.size());
  }
};

}  // namespace

Cube cube_of_box(const double lo[3], const double hi[3]) noexcept {
  double side = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  double mid[3];
  for (int d = 0; d < 3; ++d) mid[d] = 0.5 * (lo[d] + hi[d]);
  // all sources at one point: any cube around them will do
  if (!(side > 0.0)) side = std::max({1.0, std::abs(mid[0]), std::abs(mid[1]), std::abs(mid[2])});
  side *= 1.0 + 1e-12;
  Cube c;
  c.side = side;
  for (int d = 0; d < 3; ++d) c.origin[d] = mid[d] - 0.5 * side;
  return c;
}

std::uint64_t curve_key(const Vec3& x, const Cube& cube) noexcept {
  return impl::morton_key(x[0], x[1], x[2], cube.origin, double(impl::kCells) / cube.side);
}

Cube Tree::cube() const noexcept {
  Cube c;
  c.side = root_side_;
  for (int d = 0; d < 3; ++d) c.origin[d] = origin_[d];
  return c;
}

void Tree::build(std::span<const Vec3> pos, std::span<const double> mass, int threads) {
  // The root cube: the bounding box's largest extent, centred on the box.
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  if (!pos.empty()) {
    for (int d = 0; d < 3; ++d) lo[d] = hi[d] = pos[0][d];
  }
  for (const Vec3& p : pos) {
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], p[d]);
      hi[d] = std::max(hi[d], p[d]);
    }
  }
  build(pos, mass, threads, cube_of_box(lo, hi), KeyRange{});
}

void Tree::build(std::span<const Vec3> pos, std::span<const double> mass, int threads,
                 const Cube& cube, KeyRange own) {
  if (pos.size() != mass.size()) {
    throw std::invalid_argument("gravity::Tree::build: " + std::to_string(pos.size()) +
                                " positions but " + std::to_string(mass.size()) + " masses");
  }
  const auto n = static_cast<std::int64_t>(pos.size());
  nodes_.clear();
  complete_.clear();
  depth_ = 0;
  order_.resize(static_cast<std::size_t>(n));
  rank_of_.resize(static_cast<std::size_t>(n));
  x_.resize(static_cast<std::size_t>(n));
  y_.resize(x_.size());
  z_.resize(x_.size());
  m_.resize(x_.size());
  const double side = cube.side;
  root_side_ = side;
  double mid[3];
  for (int d = 0; d < 3; ++d) {
    origin_[d] = cube.origin[d];
    mid[d] = cube.origin[d] + 0.5 * side;
  }
  if (n == 0) return;

  const double scale = double(impl::kCells) / side;

  // Keys (parallel), then a sort of (key, index): ties keep the input order.
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(n));
  const std::int64_t block = 4096, nblocks = (n + block - 1) / block;
  go::parallel_blocks(
      threads, nblocks,
      [&](std::int64_t b, int) {
        for (std::int64_t i = b * block; i < std::min(n, (b + 1) * block); ++i) {
          const Vec3& p = pos[static_cast<std::size_t>(i)];
          keys[static_cast<std::size_t>(i)] = impl::morton_key(p[0], p[1], p[2], origin_, scale);
        }
      },
      "gravity.keys");
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  std::vector<std::uint64_t> sorted;
  sort_indices_by_key(keys, order_, &sorted);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto s = static_cast<std::size_t>(order_[static_cast<std::size_t>(i)]);
    const auto k = static_cast<std::size_t>(i);
    rank_of_[s] = i;
    x_[k] = pos[s][0];
    y_[k] = pos[s][1];
    z_[k] = pos[s][2];
    m_[k] = mass[s];
  }

  // Nodes: depth-first, each leaf at most leaf_size sources (or at the
  // deepest level). Recursion depth <= kMaxTreeDepth + 1 frames.
  nodes_.reserve(static_cast<std::size_t>(n / std::max(1, config_.leaf_size / 2) + 64));
  complete_.reserve(nodes_.capacity());
  Builder builder{sorted, config_.leaf_size, own, nodes_, complete_};
  builder.make(0, static_cast<std::int32_t>(n), 0, mid, side);
  depth_ = builder.depth;

  // Moments of every node straight from its sources (each source is in
  // depth + 1 nodes), in parallel over nodes; the sums run in curve order,
  // so the result does not depend on the threads.
  const auto nn = static_cast<std::int64_t>(nodes_.size());
  const std::int64_t nblk = (nn + 255) / 256;
  go::parallel_blocks(
      threads, nblk,
      [&](std::int64_t b, int) {
        for (std::int64_t k = b * 256; k < std::min(nn, (b + 1) * 256); ++k) {
          TreeNode& node = nodes_[static_cast<std::size_t>(k)];
          const auto i0 = static_cast<std::size_t>(node.begin);
          const auto i1 = i0 + static_cast<std::size_t>(node.count);
          double m = 0, cx = 0, cy = 0, cz = 0;
          for (std::size_t i = i0; i < i1; ++i) {
            m += m_[i];
            cx += m_[i] * x_[i];
            cy += m_[i] * y_[i];
            cz += m_[i] * z_[i];
          }
          node.mass = m;
          node.com[0] = cx / m;
          node.com[1] = cy / m;
          node.com[2] = cz / m;
          node.offset = std::sqrt((node.com[0] - node.center[0]) * (node.com[0] - node.center[0]) +
                                  (node.com[1] - node.center[1]) * (node.com[1] - node.center[1]) +
                                  (node.com[2] - node.center[2]) * (node.com[2] - node.center[2]));
          double q[6] = {0, 0, 0, 0, 0, 0}, tr = 0, b2 = 0;
          for (std::size_t i = i0; i < i1; ++i) {
            const double sx = x_[i] - node.com[0], sy = y_[i] - node.com[1],
                         sz = z_[i] - node.com[2];
            const double s2 = sx * sx + sy * sy + sz * sz;
            q[0] += m_[i] * (3 * sx * sx - s2);
            q[1] += m_[i] * (3 * sy * sy - s2);
            q[2] += m_[i] * (3 * sz * sz - s2);
            q[3] += m_[i] * 3 * sx * sy;
            q[4] += m_[i] * 3 * sx * sz;
            q[5] += m_[i] * 3 * sy * sz;
            tr += m_[i] * s2;
            b2 = std::max(b2, s2);
          }
          node.bmax = std::sqrt(b2);
          for (int c = 0; c < 6; ++c) node.quad[c] = q[c];
          node.trace = tr;
        }
      },
      "gravity.moments");
}

}  // namespace weft::gravity
