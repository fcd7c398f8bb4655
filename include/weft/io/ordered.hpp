// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <vector>

#include "weft/md/system.hpp"

namespace weft::io {

// OrderedAtom is one atom as written to files: wrapped into the box, with
// its image flags.
struct OrderedAtom {
  gid id;
  std::int32_t type;
  std::array<std::int32_t, 3> image;
  std::array<real, 3> x, v, f;
};

// OrderedBlock is this rank's share of all atoms sorted by id: the atoms
// with global rows [offset, offset + atoms.size()). Together the ranks hold
// every atom once, in id order, without gathering anything on one rank.
struct OrderedBlock {
  std::int64_t offset = 0;
  std::int64_t total = 0;
  std::vector<OrderedAtom> atoms;
};

// order_by_id() redistributes the owned atoms of `s` by id range
// (MPI_Alltoallv) and sorts each range. Collective over comm.
OrderedBlock order_by_id(const md::System& s, MPI_Comm comm);

}  // namespace weft::io
