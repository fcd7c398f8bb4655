// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to the trajectory writer (trajectory.cpp, trajectory_resume.cpp):
// its open datasets, and one frame as this rank writes it.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "weft/h5/file.hpp"
#include "weft/io/ordered.hpp"
#include "weft/io/trajectory.hpp"
#include "weft/mpi/comm.hpp"

namespace weft::io {

// TimeSeries is one H5MD time-dependent element: step, time, value.
struct TimeSeries {
  h5::Group group;
  h5::Dataset step, time, value;
  bool open() const { return value.id() >= 0; }
};

// FrameData is one frame as this rank writes it: its rows [offset, offset +
// rows) of the per-atom fields (row-major, 3 per row; nullptr for a field
// the file does not hold), and the values rank 0 writes alone.
struct FrameData {
  std::int64_t step = 0;
  double time = 0;
  double edges[9] = {};
  std::vector<double> observables;  // in the order of TrajectoryOptions::observables
  hsize_t offset = 0, rows = 0;
  const double* x = nullptr;
  const std::int32_t* image = nullptr;
  const double* v = nullptr;
  const double* f = nullptr;
};

struct TrajectoryStorage;  // how new series are chunked (trajectory.cpp)

struct TrajectoryWriter::State {
  std::string path;  // final name
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  TrajectoryOptions options;
  std::unique_ptr<h5::File> file;
  bool published = false;  // the file is named path.part (not yet path.part.new)
  bool hold = false;       // append() does not publish (a copy in progress)
  std::int64_t natoms = 0;
  std::int64_t frames = 0;    // complete frames (length of position/value)
  std::int64_t capacity = 0;  // frames with reserved space; 0 when filtered
  TimeSeries box, position, image, velocity, force;
  std::map<std::string, TimeSeries> observables;
  IdOrder order;
  bool finished = false;

  explicit State(MPI_Comm c) : comm(c), rank(mpi::Comm(c).rank()), order(c) {}
  // append() writes one frame and commits it (see write_frame()).
  void append(const FrameData& frame);
  // publish() renames path.part.new to path.part (collective).
  void publish();
  // rename() renames `from` to `to` on rank 0; if that fails, every rank
  // throws h5::Error (collective).
  void rename(const std::string& from, const std::string& to) const;
  // flush() waits for every rank's writes, then flushes the file (HDF5
  // writes its dirty metadata, then MPI_File_sync).
  void flush();
  // close() closes every object of the file, then the file.
  void close();
  // frame_bytes() is the size of one frame in the file (uncompressed).
  std::uint64_t frame_bytes() const;
  // create() makes the file and its groups (the constructor's work).
  void create(const ParticleView& system, const RunInfo& run, const TrajectoryStorage& storage);
};

// trajectory_file_options() are the settings of every trajectory file:
// every object aligned to a 4 KiB page, data moved as `o` says.
h5::FileOptions trajectory_file_options(const TrajectoryOptions& o);

// open_series() opens an existing time series of a trajectory.
TimeSeries open_series(h5::Group& parent, const std::string& name);

}  // namespace weft::io
