// SPDX-License-Identifier: Apache-2.0
// The top tree of the distributed tree and the replies that carry nodes:
// impl/distributed.hpp.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "impl/distributed.hpp"
#include "impl/group.hpp"
#include "impl/morton.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity::impl {
namespace {

// Cell is one top cell of some rank: its record (next: its index in the
// owner's tree), owner and curve key (of its centre: inside the cell).
struct Cell {
  TreeNode rec;
  int owner;
  std::uint64_t key;
};

// combine() sets the moments of top node `parent` from its children (the
// nodes that follow it up to its next): parallel-axis sums.
void combine(std::vector<TreeNode>& nodes, std::size_t parent) {
  TreeNode& p = nodes[parent];
  double m = 0, c[3] = {0, 0, 0};
  std::int64_t count = 0;
  const auto end = static_cast<std::size_t>(p.next);
  for (std::size_t k = parent + 1; k < end; k = static_cast<std::size_t>(nodes[k].next)) {
    m += nodes[k].mass;
    for (int d = 0; d < 3; ++d) c[d] += nodes[k].mass * nodes[k].com[d];
    count += nodes[k].count;
  }
  p.mass = m;
  for (int d = 0; d < 3; ++d) p.com[d] = c[d] / m;
  p.count = static_cast<std::int32_t>(std::min<std::int64_t>(count, INT32_MAX));
  double off2 = 0;
  for (int d = 0; d < 3; ++d) off2 += (p.com[d] - p.center[d]) * (p.com[d] - p.center[d]);
  p.offset = std::sqrt(off2);
  double q[6] = {0, 0, 0, 0, 0, 0}, tr = 0, bmax = 0;
  for (std::size_t k = parent + 1; k < end; k = static_cast<std::size_t>(nodes[k].next)) {
    const TreeNode& ch = nodes[k];
    const double s[3] = {ch.com[0] - p.com[0], ch.com[1] - p.com[1], ch.com[2] - p.com[2]};
    const double s2 = s[0] * s[0] + s[1] * s[1] + s[2] * s[2];
    q[0] += ch.quad[0] + ch.mass * (3 * s[0] * s[0] - s2);
    q[1] += ch.quad[1] + ch.mass * (3 * s[1] * s[1] - s2);
    q[2] += ch.quad[2] + ch.mass * (3 * s[2] * s[2] - s2);
    q[3] += ch.quad[3] + ch.mass * 3 * s[0] * s[1];
    q[4] += ch.quad[4] + ch.mass * 3 * s[0] * s[2];
    q[5] += ch.quad[5] + ch.mass * 3 * s[1] * s[2];
    tr += ch.trace + ch.mass * s2;
    bmax = std::max(bmax, ch.bmax + std::sqrt(s2));
  }
  for (int i = 0; i < 6; ++i) p.quad[i] = q[i];
  p.trace = tr;
  p.bmax = bmax;
}

// make() appends the top node of the cell at `level` holding cells[i0, i1).
void make(const std::vector<Cell>& cells, std::size_t i0, std::size_t i1, int level,
          const double center[3], double side, TopTree& t) {
  const std::size_t idx = t.nodes.size();
  if (i1 - i0 == 1 && cells[i0].rec.level == level) {
    t.nodes.push_back(cells[i0].rec);
    t.refs.push_back({cells[i0].owner, cells[i0].rec.next});
    t.nodes[idx].next = static_cast<std::int32_t>(t.nodes.size());
    return;
  }
  TreeNode n{};
  for (int d = 0; d < 3; ++d) n.center[d] = center[d];
  n.side = side;
  n.level = static_cast<std::int16_t>(level);
  t.nodes.push_back(n);
  t.refs.push_back({});
  std::size_t b = i0;
  for (int oct = 0; oct < 8; ++oct) {
    std::size_t e = b;
    while (e < i1 && octant(cells[e].key, level) == oct) ++e;
    if (e > b) {
      const double q = side / 4;
      const double c[3] = {center[0] + ((oct & 4) ? q : -q), center[1] + ((oct & 2) ? q : -q),
                           center[2] + ((oct & 1) ? q : -q)};
      make(cells, b, e, level + 1, c, side / 2, t);
    }
    b = e;
  }
  t.nodes[idx].next = static_cast<std::int32_t>(t.nodes.size());
  combine(t.nodes, idx);
}

}  // namespace

TopTree top_tree(const Tree& local, const Cube& cube, const mpi::Comm& comm) {
  // This rank's top cells: the first complete node on every path down.
  std::vector<double> mine;
  const std::span<const TreeNode> nodes = local.nodes();
  const auto n = static_cast<std::int32_t>(nodes.size());
  for (std::int32_t k = 0; k < n;) {
    if (!local.complete(k)) {
      ++k;
      continue;
    }
    TreeNode rec = nodes[static_cast<std::size_t>(k)];
    rec.next = k;
    const auto at = mine.size();
    mine.resize(at + kNodeDoubles);
    std::memcpy(mine.data() + at, &rec, sizeof(TreeNode));
    k = nodes[static_cast<std::size_t>(k)].next;
  }
  const std::vector<int> counts = mpi::allgather(message_count(mine.size()), comm);
  const std::vector<double> all = mpi::allgatherv(mine.data(), message_count(mine.size()), comm);
  TopTree t;
  std::vector<Cell> cells;
  cells.reserve(all.size() / kNodeDoubles);
  const double scale = double(kCells) / cube.side;
  std::size_t at = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    for (std::size_t j = 0; j < static_cast<std::size_t>(counts[r]) / kNodeDoubles; ++j) {
      Cell c{};
      std::memcpy(&c.rec, all.data() + at, sizeof(TreeNode));
      at += kNodeDoubles;
      c.owner = static_cast<int>(r);
      c.key = morton_key(c.rec.center[0], c.rec.center[1], c.rec.center[2], cube.origin, scale);
      cells.push_back(c);
    }
  }
  t.cells = static_cast<std::int64_t>(cells.size());
  if (cells.empty()) return t;
  // Ranks hold consecutive stretches and list their cells in curve order.
  const double center[3] = {cube.origin[0] + 0.5 * cube.side, cube.origin[1] + 0.5 * cube.side,
                            cube.origin[2] + 0.5 * cube.side};
  make(cells, 0, cells.size(), 0, center, cube.side, t);
  return t;
}

void append_group(const Tree& local, std::int32_t k, std::vector<double>& out,
                  std::vector<std::int32_t>& inner) {
  const std::span<const TreeNode> nodes = local.nodes();
  const TreeNode& node = nodes[static_cast<std::size_t>(k)];
  const std::size_t head = out.size();
  out.insert(out.end(), {static_cast<double>(k), 0.0, 0.0});
  std::int64_t sources = 0;
  std::vector<std::pair<std::int32_t, std::int32_t>> ranges;  // (begin, count) of sources
  inner.clear();
  if (node.leaf) {
    ranges.emplace_back(node.begin, node.count);
    sources = node.count;
  } else {
    for (std::int32_t c = k + 1; c < node.next; c = nodes[static_cast<std::size_t>(c)].next) {
      TreeNode rec = nodes[static_cast<std::size_t>(c)];
      rec.next = c;
      if (rec.leaf) {
        ranges.emplace_back(rec.begin, rec.count);
        rec.begin = static_cast<std::int32_t>(sources);
        sources += rec.count;
      } else {
        rec.begin = -1;
        inner.push_back(c);
      }
      const auto at = out.size();
      out.resize(at + kNodeDoubles);
      std::memcpy(out.data() + at, &rec, sizeof(TreeNode));
      out[head + 1] += 1;
    }
  }
  out[head + 2] = static_cast<double>(sources);
  for (const auto& [begin, count] : ranges) {
    for (std::int64_t i = begin; i < std::int64_t{begin} + count; ++i) {
      double s4[4];
      local.source(i, s4);
      out.insert(out.end(), s4, s4 + 4);
    }
  }
  out[0] += 1;
}

std::vector<double> reply(const Tree& local, std::int64_t index, int levels) {
  std::vector<double> out{0.0};
  // breadth-first: (node, levels below the asked node)
  std::vector<std::pair<std::int32_t, int>> todo{{static_cast<std::int32_t>(index), 0}};
  std::vector<std::int32_t> inner;
  for (std::size_t t = 0; t < todo.size(); ++t) {
    const auto [k, depth] = todo[t];
    append_group(local, k, out, inner);
    if (depth + 1 < levels)
      for (std::int32_t c : inner) todo.emplace_back(c, depth + 1);
  }
  return out;
}

std::vector<double> export_for(const Tree& local, const TopTree& top, int rank, const Walk& w,
                               const Group& box) {
  std::vector<double> out{0.0};
  std::vector<std::int32_t> stack, inner;
  const std::span<const TreeNode> nodes = local.nodes();
  for (std::size_t t = 0; t < top.nodes.size(); ++t) {
    if (top.refs[t].owner != rank || !box.open(w, top.nodes[t])) continue;
    stack.assign(1, top.refs[t].index);
    while (!stack.empty()) {
      const std::int32_t k = stack.back();
      stack.pop_back();
      append_group(local, k, out, inner);
      for (auto c = inner.rbegin(); c != inner.rend(); ++c)
        if (box.open(w, nodes[static_cast<std::size_t>(*c)])) stack.push_back(*c);
    }
  }
  return out;
}

}  // namespace weft::gravity::impl
