// SPDX-License-Identifier: Apache-2.0
// Imported trees: what another rank sent ahead (impl::export_for()), laid
// out as one depth-first node array with next pointers, walked by the same
// tight loop as a rank's own tree: impl/distributed.hpp.
#include <cstring>
#include <unordered_map>

#include "impl/distributed.hpp"
#include "impl/group.hpp"

namespace weft::gravity::impl {
namespace {

// Groups maps a node index of the sending rank to its group in a reply.
struct Groups {
  std::unordered_map<std::int32_t, const double*> at;
};

Groups index_groups(std::span<const double> reply) {
  Groups g;
  const auto n = static_cast<std::size_t>(reply[0]);
  std::size_t at = 1;
  for (std::size_t k = 0; k < n; ++k) {
    g.at.emplace(static_cast<std::int32_t>(reply[at]), reply.data() + at);
    const auto nchild = static_cast<std::size_t>(reply[at + 1]);
    const auto nparts = static_cast<std::size_t>(reply[at + 2]);
    at += 3 + nchild * kNodeDoubles + 4 * nparts;
  }
  return g;
}

// emit() appends node `rec` (index `index` on the sender) and, when the
// reply holds its group, everything below it that the reply holds.
void emit(const Groups& groups, const TreeNode& rec, std::int32_t index, ImportedTree& t) {
  const std::size_t pos = t.nodes.size();
  t.nodes.push_back(rec);
  t.remote_index.push_back(index);
  t.expanded.push_back(0);
  const auto it = groups.at.find(index);
  if (it != groups.at.end()) {
    const double* g = it->second;
    const auto nchild = static_cast<std::size_t>(g[1]);
    const auto nparts = static_cast<std::size_t>(g[2]);
    const double* recs = g + 3;
    const double* parts = recs + nchild * kNodeDoubles;
    t.expanded[pos] = 1;
    if (rec.leaf) {
      t.nodes[pos].begin = static_cast<std::int32_t>(t.parts.size() / 4);
      t.parts.insert(t.parts.end(), parts, parts + 4 * nparts);
    } else {
      for (std::size_t c = 0; c < nchild; ++c) {
        TreeNode child;
        std::memcpy(&child, recs + c * kNodeDoubles, sizeof(TreeNode));
        if (child.leaf) {  // its sources came with the group
          const std::size_t p = t.nodes.size();
          const double* first = parts + 4 * static_cast<std::size_t>(child.begin);
          t.nodes.push_back(child);
          t.remote_index.push_back(child.next);
          t.expanded.push_back(1);
          t.nodes[p].begin = static_cast<std::int32_t>(t.parts.size() / 4);
          t.parts.insert(t.parts.end(), first, first + 4 * static_cast<std::size_t>(child.count));
          t.nodes[p].next = static_cast<std::int32_t>(t.nodes.size());
        } else {
          emit(groups, child, child.next, t);
        }
      }
    }
  }
  t.nodes[pos].next = static_cast<std::int32_t>(t.nodes.size());
}

}  // namespace

ImportedTree import_tree(std::span<const double> reply, const TopTree& top, int owner) {
  ImportedTree t;
  const Groups groups = index_groups(reply);
  for (std::size_t k = 0; k < top.nodes.size(); ++k) {
    if (top.refs[k].owner != owner || !groups.at.count(top.refs[k].index)) continue;
    t.start.emplace(top.refs[k].index, static_cast<std::int32_t>(t.nodes.size()));
    emit(groups, top.nodes[k], top.refs[k].index, t);
  }
  return t;
}

}  // namespace weft::gravity::impl
