// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "weft/h5/object.hpp"
#include "weft/io/parameters.hpp"
#include "weft/io/particles.hpp"

namespace weft::io {

// TrajectoryUnits are the unit strings of the series (attribute
// `weft_unit`; "" for none). H5MD's own unit attribute is not used: reduced
// units have no H5MD unit string, and MDAnalysis rejects units it does not
// know even with convert_units=False.
struct TrajectoryUnits {
  std::string length, velocity, force;  // time: RunInfo::time_unit
};

// TrajectoryOptions chooses what each H5MD frame holds and how it is stored.
struct TrajectoryOptions {
  bool velocities = true;
  bool forces = false;
  int deflate = 0;          // gzip level; 0 none (compression costs write time)
  bool fletcher32 = false;  // checksum every chunk of per-atom data
  // frames: how many frames the run will write. Without gzip and checksums
  // their file space is reserved when the first frame is written (a sparse
  // file: nothing is on disk until written), so that writing a frame
  // changes no file structure (see write_frame()).
  std::int64_t frames = 1;
  // transfer: how the ranks write their rows over MPI-IO. Each rank's rows
  // of a frame are one contiguous block per series, so independent writes
  // are single large writes; collective ones go through MPI-IO aggregators.
  h5::Transfer transfer = h5::Transfer::independent;
  TrajectoryUnits units;
  // observables: the names of the scalars stored with every frame
  // (/observables/<name>), in the order write_frame() is given them.
  std::vector<std::string> observables;
};

// FrameValues are the per-frame scalars: step, time and one value per name
// of TrajectoryOptions::observables.
struct FrameValues {
  std::int64_t step = 0;
  double time = 0;
  std::vector<double> observables;
};

// TrajectoryWriter writes an H5MD 1.1 file in parallel: every rank writes its
// share of the atoms (sorted by id) at row offsets of contiguous id blocks;
// nothing is gathered on one rank. All members are collective.
//
// Files: the file is created as `path + ".part.new"`, renamed to
// `path + ".part"` once its first frame is complete, and to `path` by
// finish(). So `.part` always holds at least one complete frame.
//
// Layout: /h5md (version 1.1, author, creator), /particles/trajectory/{box
// (edges frames x 3 x 3), position, image, velocity, force: step/time/value
// frames x N x 3; id, species: N}, /observables/<name>, /parameters
// (the resolved deck). Opens with h5py, h5dump and MDAnalysis
// (convert_units=False: LJ units have no MDAnalysis equivalent). The number
// of complete frames is the length of position/value; every other series
// holds at least as many frames (one more while a frame is committed).
class TrajectoryWriter {
 public:
  TrajectoryWriter(const std::string& path, MPI_Comm comm, const RunInfo& run,
                   const ParticleView& particles, const TrajectoryOptions& options);

  // resume() reopens the trajectory of an interrupted run (`path.part`, or
  // `path` if it was finished) to continue after `step`: frames written
  // after `step` are dropped. `options.frames` is the number of frames the
  // continuation will add. When frames must be dropped or the reserved
  // space is too small, the kept frames are copied into a new file with
  // room for the continuation, which replaces the old one by rename once
  // they are all in it (neither can be done in place without a moment at
  // which a kill damages frames). Returns nullptr when there is no file to
  // continue or it holds no frame up to `step`. Throws h5::Error when it
  // cannot be read. Collective.
  static std::unique_ptr<TrajectoryWriter> resume(const std::string& path, MPI_Comm comm,
                                                  const RunInfo& run, std::int64_t step,
                                                  const ParticleView& particles,
                                                  const TrajectoryOptions& options);
  ~TrajectoryWriter();
  TrajectoryWriter(const TrajectoryWriter&) = delete;
  TrajectoryWriter& operator=(const TrajectoryWriter&) = delete;

  // write_frame() appends the current state with the thermo row of the same
  // step. Crash safety: with reserved space (no gzip, no checksums) a frame
  // only writes raw data into space already allocated and then grows the
  // datasets' extents, every series before position/value, each step
  // flushed in that order; a process killed at any moment leaves a file
  // whose every frame up to the length of position/value is complete.
  void write_frame(const ParticleView& particles, const FrameValues& values);
  // finish() closes the file and renames it to its final name.
  void finish();
  std::int64_t frames() const;
  // capacity() is the number of frames for which space is reserved (0 when
  // frames are filtered chunks allocated one by one).
  std::int64_t capacity() const;

  struct State;

 private:
  TrajectoryWriter();
  std::unique_ptr<State> s_;
};

}  // namespace weft::io
