// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/md/simulation.hpp"
#include "weft/md/snapshot.hpp"

namespace weft::io {

// kCheckpointFormat is the version of the checkpoint layout; a reader
// refuses any other.
constexpr int kCheckpointFormat = 1;

// CheckpointInfo is the header of a checkpoint file.
struct CheckpointInfo {
  int format = 0;
  std::int64_t step = 0;
  std::int64_t natoms = 0;
  int ranks = 0;
  std::array<int, 3> grid{1, 1, 1};
  std::string deck;     // the resolved deck of the run that wrote it
  std::string program;  // "weft 0.1.0"
};

// write_checkpoint() writes every rank's snapshot, plus the thermo rows so
// far (rank 0's `thermo`), to `path` in parallel: first as `path.part`, then
// renamed, so `path` is always either absent or complete. Every dataset has
// Fletcher32 checksums. Collective.
void write_checkpoint(const std::string& path, MPI_Comm comm, const md::Snapshot& snapshot,
                      const std::string& deck, const std::vector<md::ThermoRow>& thermo);

// read_checkpoint_info() reads and checks the header of a checkpoint (not
// collective). Throws weft::InputError saying what is wrong with the file:
// not HDF5, truncated, not a weft checkpoint, another format version.
CheckpointInfo read_checkpoint_info(const std::string& path);

// read_checkpoint() reads this rank's share of a checkpoint: with the same
// number of ranks as the writer, exactly the atoms (in the same order) that
// rank wrote; otherwise an even share to be redistributed. `thermo`
// receives the thermo rows (every rank). Checksums are verified; a damaged
// file throws weft::InputError. Collective.
md::Snapshot read_checkpoint(const std::string& path, MPI_Comm comm,
                             std::vector<md::ThermoRow>& thermo);

}  // namespace weft::io
