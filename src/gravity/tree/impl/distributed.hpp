// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
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
// count of child records, the count of sources, the records (next: the
// child's index in `local`; begin: its first source in the reply when it is
// a leaf, else -1), then x y z m of each source: the sources of every leaf
// child, or of the node itself when it is a leaf.
std::vector<double> reply(const Tree& local, std::int64_t index);

// message_count() is n as an MPI count (RunError beyond INT_MAX).
inline int message_count(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::length_error("gravity tree: a message of " + std::to_string(n) +
                            " values exceeds MPI's int counts");
  return static_cast<int>(n);
}

}  // namespace weft::gravity::impl
