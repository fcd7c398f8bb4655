// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "weft/md/simulation.hpp"

namespace weft::io {

// TrajectoryOptions chooses what each H5MD frame holds.
struct TrajectoryOptions {
  bool velocities = true;
  bool forces = false;
  int deflate = 0;          // gzip level; 0 none (compression costs write time)
  bool fletcher32 = true;   // checksum every chunk
};

// TrajectoryWriter writes an H5MD 1.1 file in parallel: every rank writes its
// share of the atoms (sorted by id) at offsets from MPI_Exscan; nothing is
// gathered on one rank. The file is written as `path + ".part"` and renamed
// to `path` by finish(), so no reader ever sees a half-written file; the
// `.part` file is flushed after every frame. All members are collective.
//
// Layout: /h5md (version 1.1, author, creator), /particles/trajectory/{box
// (edges frames x 3 x 3), position, image, velocity, force: step/time/value
// frames x N x 3; id, species: N}, /observables/<thermo column>, /parameters
// (the resolved deck). Opens with h5py, h5dump and MDAnalysis
// (convert_units=False: LJ units have no MDAnalysis equivalent).
class TrajectoryWriter {
 public:
  TrajectoryWriter(const std::string& path, MPI_Comm comm, const std::string& deck,
                   const md::System& system, const TrajectoryOptions& options);

  // resume() reopens the trajectory of an interrupted run (`path.part`, or
  // `path` if it was finished) to continue after `step`: frames written
  // after `step` are dropped. Returns nullptr when there is no file to
  // continue. Throws h5::Error when it cannot be read. Collective.
  static std::unique_ptr<TrajectoryWriter> resume(const std::string& path, MPI_Comm comm,
                                                  std::int64_t step, const TrajectoryOptions& options);
  ~TrajectoryWriter();
  TrajectoryWriter(const TrajectoryWriter&) = delete;
  TrajectoryWriter& operator=(const TrajectoryWriter&) = delete;

  // write_frame() appends the current state with the thermo row of the same step.
  void write_frame(const md::System& system, const md::ThermoRow& thermo);
  // finish() closes the file and renames it to its final name.
  void finish();
  std::int64_t frames() const;

 private:
  TrajectoryWriter();
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace weft::io
