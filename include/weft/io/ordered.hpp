// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

#include "weft/core/huge_pages.hpp"
#include "weft/io/particles.hpp"

namespace weft::io {

// OrderedFields says which per-atom fields IdOrder::gather() moves. Only
// the fields asked for travel between ranks.
struct OrderedFields {
  bool positions = true;  // wrapped positions and image flags
  bool velocities = false;
  bool forces = false;
  bool types = false;  // atom types
  bool ids = false;    // atom ids (row r of dense ids 1..N is id r + 1)
};

// IdOrder puts the owned atoms of every rank into global id order without
// gathering them on one rank: after gather(), rank r holds the rows
// [offset, offset + count) of the list of all atoms sorted by id, as
// structure-of-arrays fields (x, image, v, f: count x 3, row-major; id,
// type: count), those asked for. Ranks hold contiguous, nearly equal blocks
// of rows.
//
// Ids are normally dense (1..natoms): then row = id - 1, the destination
// rank is block arithmetic and each atom is placed directly. Otherwise the
// atoms go to ranks by id range and are sorted there. Positions are wrapped
// into the periodic box with the image flags adjusted to match.
//
// The buffers are kept between calls (one IdOrder per writer), so a frame
// allocates nothing once the first one is done. gather() is collective.
class IdOrder {
 public:
  explicit IdOrder(MPI_Comm comm);

  void gather(const ParticleView& s, const OrderedFields& what);

  std::int64_t offset = 0;  // first row held by this rank
  std::int64_t count = 0;   // rows held by this rank
  std::int64_t total = 0;   // rows on all ranks (the number of atoms)
  HugePageVector<real> x, v, f;
  HugePageVector<std::int32_t> image;
  HugePageVector<gid> id;
  HugePageVector<std::int32_t> type;

 private:
  struct Layout;
  void place(const char* record, std::int64_t row, const Layout& l);

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::vector<int> dest_, send_counts_, recv_counts_, send_displs_, recv_displs_, fill_;
  std::vector<char> send_, recv_;
  std::vector<std::int64_t> starts_;  // block starts of the dense layout, size_ + 1
  std::vector<std::uint8_t> seen_;    // rows placed so far (dense layout check)
};

}  // namespace weft::io
