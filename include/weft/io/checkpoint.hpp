// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/h5/file.hpp"
#include "weft/io/columns.hpp"
#include "weft/io/parameters.hpp"
#include "weft/io/series.hpp"

namespace weft::io {

// kCheckpointFormat is the version of the checkpoint layout; a reader
// refuses any other.
constexpr int kCheckpointFormat = 1;

// CheckpointInfo is the header of a checkpoint file.
struct CheckpointInfo {
  int format = 0;
  std::int64_t step = 0;
  int ranks = 0;            // ranks of the run that wrote it
  std::string deck;         // the resolved deck of that run
  std::string program;      // "weft 0.1.0"
  std::string application;  // "md" (also for files older than the attribute)
};

// CheckpointWriter writes one checkpoint in parallel (a ColumnWriter with
// Fletcher32 on every column): what the run loop keeps (the step and the
// observation rows so far) and what the application adds — attributes,
// small datasets of values, and per-rank rows of named columns. The file is
// written as `path.part` and renamed to `path` by commit(), so `path` is
// always either absent or complete. Every member is collective; values
// passed to attribute() must be the same on every rank.
//
// Layout: /parameters (RunInfo), /checkpoint@{format, step, ranks},
// /checkpoint/thermo (one row per observation: step, time, values),
// /checkpoint/rank_counts and /checkpoint/<group>/<column> (the rows), and
// the application's attributes and datasets in /checkpoint.
//
//   io::CheckpointWriter w(path, comm, run, step);
//   w.series(rows_so_far);            // rank 0's rows
//   w.attribute("builds", builds);
//   w.values("integrator", state);    // rank 0's values
//   w.rows("atoms", nlocal);          // this rank's rows, then their columns
//   w.column("x", x);
//   w.commit();
class CheckpointWriter {
 public:
  CheckpointWriter(const std::string& path, MPI_Comm comm, const RunInfo& run, std::int64_t step);
  // ~CheckpointWriter() removes `path.part` when commit() was not reached.
  ~CheckpointWriter() = default;
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  // series() stores the observation rows (rank 0's; `width` values each).
  void series(const std::vector<SeriesRow>& rows, std::size_t width);
  template <class T>
  void attribute(const std::string& name, const T& value) {
    group_->set_attribute(name, value);
  }
  // values() stores a small dataset of rank 0's values (its size is taken
  // from rank 0).
  void values(const std::string& name, const std::vector<double>& v);
  // rows() starts the per-rank rows: this rank has `count` of them, stored
  // in group `group` after those of lower ranks. Once per checkpoint.
  void rows(const std::string& group, std::int64_t count);
  // column() stores this rank's `count` values of one column of the rows.
  template <class T>
  void column(const std::string& name, const std::vector<T>& v) {
    table_->column(name, v);
  }
  // commit() closes the file and renames it to `path` (every rank learns
  // whether it worked; RunError otherwise).
  void commit();

 private:
  MPI_Comm comm_;
  int rank_ = 0;
  ColumnWriter w_;
  h5::Group* group_ = nullptr;  // /checkpoint (the writer's)
  std::optional<ColumnWriter::Table> table_;
};

// CheckpointReader reads a checkpoint back. Constructed collectively; its
// readers of the rows (rows(), column()) are collective, the others not.
// Every failure to read throws h5::Error (the caller says "damaged").
class CheckpointReader {
 public:
  // info() reads and checks the header of a checkpoint on one rank (not
  // collective). Throws weft::InputError saying what is wrong with the
  // file: not HDF5, truncated, not a weft checkpoint, another format.
  static CheckpointInfo info(const std::string& path);

  CheckpointReader(const std::string& path, MPI_Comm comm);
  ~CheckpointReader();

  const std::string& path() const { return path_; }
  std::int64_t step() const { return step_; }
  // series() is the observation rows, on every rank.
  std::vector<SeriesRow> series() const;
  template <class T>
  T attribute(const std::string& name) const {
    return group_.attribute<T>(name);
  }
  template <class T>
  std::vector<T> attribute_vector(const std::string& name) const {
    return group_.attribute_vector<T>(name, group_.attribute_size(name));
  }
  // has_attribute() says whether the application wrote attribute `name`.
  bool has_attribute(const std::string& name) const { return group_.has_attribute(name); }
  std::vector<double> values(const std::string& name) const;
  // rows() opens the per-rank rows of `group` and returns this rank's
  // count: with as many ranks as the writer, exactly the rows this rank
  // wrote (exact() is then true); otherwise an even share of them.
  std::int64_t rows(const std::string& group);
  bool exact() const { return exact_; }
  std::vector<double> column_double(const std::string& name) const;
  std::vector<std::int32_t> column_int32(const std::string& name) const;
  std::vector<std::int64_t> column_int64(const std::string& name) const;
  // close() closes the file (also done by the destructor).
  void close();

 private:
  template <class T>
  std::vector<T> read_column(const std::string& name) const;

  std::string path_;
  MPI_Comm comm_;
  std::unique_ptr<h5::File> file_;
  h5::Group group_, rows_group_;
  std::int64_t step_ = 0, offset_ = 0, count_ = 0;
  bool exact_ = false;
};

}  // namespace weft::io
