// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

// kernels.hpp first: it includes immintrin.h inside its warning guard
// (Eigen, through tree.hpp, would include it unguarded).
#include "kernels.hpp"  // IWYU pragma: keep
#include "weft/gravity/tree.hpp"
#include "weft/mpi/comm.hpp"

// The parts of the distributed tree that do not wait: the top tree over
// every rank's top cells, and the replies that carry nodes between ranks.
namespace weft::gravity::impl {

// kNodeDoubles: a TreeNode travels as this many doubles (its bytes).
inline constexpr std::size_t kNodeDoubles = sizeof(TreeNode) / sizeof(double);
static_assert(sizeof(TreeNode) % sizeof(double) == 0);

// TopRef says where a top node's subtree lives: owner -1 for a cell above
// the top cells (its children follow it in TopTree::nodes); otherwise the
// rank holding the top cell and the cell's node index in that rank's tree.
struct TopRef {
  int owner = -1;
  std::int32_t index = -1;
};

// TopTree is the same on every rank: the top cells of all ranks (complete
// nodes of their trees whose parent cell is not wholly on their rank) and
// the cells above them, depth-first with next pointers as in Tree, moments
// of the cells above combined from their children.
struct TopTree {
  std::vector<TreeNode> nodes;
  std::vector<TopRef> refs;
  std::int64_t cells = 0;  // top cells (of all ranks)
};

// top_tree() gathers every rank's top cells of `local` (built in `cube`
// over this rank's stretch) and builds the top tree. Collective over comm.
TopTree top_tree(const Tree& local, const Cube& cube, const mpi::Comm& comm);

// reply() is the answer to a request for node `index` of `local`: the
// number of groups, then one group for that node and for each node below
// it, down to `levels` levels, that is not a leaf (breadth-first): the
// node's index, the count of child records, the count of sources, the
// records (next: the child's index in `local`; begin: its first source in
// the group when it is a leaf, else -1), then x y z m of each source: those
// of every leaf child, or of the node itself when it is a leaf.
std::vector<double> reply(const Tree& local, std::int64_t index, int levels);

struct Walk;
struct Group;

// append_group() appends the group of node k of `local` (as in reply())
// to out, counting it in out[0]; inner gets the children that are not
// leaves.
void append_group(const Tree& local, std::int32_t k, std::vector<double>& out,
                  std::vector<std::int32_t>& inner);

// export_for() is what a rank whose targets lie in `box` (its whole box and
// criterion) needs of this rank's tree, in reply()'s format: the group of
// every node of this rank that the box opens, top cells down. A group walk
// of that rank opens no other node of this rank (a group's box lies in its
// rank's box and its criterion is no looser), so those walks need no
// request: the locally essential tree, sent ahead.
std::vector<double> export_for(const Tree& local, const TopTree& top, int rank, const Walk& w,
                               const Group& box);

// ImportedTree is what one other rank sent ahead, as a tree: for each of
// that rank's top cells it sent, the cell and every node below it that it
// sent, depth-first with next pointers (TreeNode::begin: first source in
// parts, for leaves). expanded[k] says whether node k's children (or, for
// a leaf, its sources) are here; a node without them was not opened by
// this rank's box, so no group walk should open it (if one does, at a
// rounding edge, the walk fetches it through the cache: remote_index[k]).
struct ImportedTree {
  std::vector<TreeNode> nodes;
  std::vector<std::int32_t> remote_index;
  std::vector<char> expanded;
  std::vector<double> parts;                             // x y z m per source
  std::unordered_map<std::int32_t, std::int32_t> start;  // top cell's index -> its node here
};

// import_tree() lays out a reply of export_for() from rank `owner`.
ImportedTree import_tree(std::span<const double> reply, const TopTree& top, int owner);

// message_count() is n as an MPI count (RunError beyond INT_MAX).
inline int message_count(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::length_error("gravity tree: a message of " + std::to_string(n) +
                            " values exceeds MPI's int counts");
  return static_cast<int>(n);
}

}  // namespace weft::gravity::impl
