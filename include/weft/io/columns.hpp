// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "weft/h5/file.hpp"
#include "weft/io/parameters.hpp"

namespace weft::io {

// ColumnOptions is how the columns of a ColumnWriter are stored.
struct ColumnOptions {
  bool fletcher32 = false;  // checksum every chunk (verified on read)
  int deflate = 0;          // gzip level, 0: none
};

// ColumnWriter writes one HDF5 file in parallel: groups with attributes,
// small datasets held by rank 0, and tables of rows spread over the ranks —
// each rank passes its own rows, stored after those of the lower ranks, in
// named columns of one or several values per row (a set of particles:
// positions N x 3, masses N, ids N). The file is written as `path.part`
// with /parameters (RunInfo) and renamed to `path` by commit(), so `path` is
// always either absent or complete. A checkpoint is one (CheckpointWriter),
// and so is a snapshot in the Gadget HDF5 layout:
//
//   io::ColumnWriter w(path, comm, run, "snapshot");
//   h5::Group& header = w.group("Header");
//   header.set_attribute("NumPart_Total", counts);    // the same on every rank
//   io::ColumnWriter::Table t = w.table(w.group("PartType1"), nlocal);  // this rank's rows
//   t.column("Coordinates", xyz, 3);                  // nlocal x 3, row-major
//   t.column("ParticleIDs", ids);
//   w.commit();
//
// Every member is collective; attributes must be the same on every rank.
class ColumnWriter {
 public:
  // Table is a set of rows: this rank's `count()` rows are rows
  // [offset(), offset() + count()) of `total()`.
  class Table {
   public:
    void column(const std::string& name, const std::vector<double>& v, int width = 1);
    void column(const std::string& name, const std::vector<float>& v, int width = 1);
    void column(const std::string& name, const std::vector<std::int32_t>& v, int width = 1);
    void column(const std::string& name, const std::vector<std::int64_t>& v, int width = 1);
    void column(const std::string& name, const std::vector<std::uint64_t>& v, int width = 1);
    // column() of bytes: `width` bytes a row, e.g. text of up to `width`
    // bytes padded with NULs (fixed-length strings; the same width on every rank).
    void column(const std::string& name, const std::vector<std::uint8_t>& v, int width = 1);
    std::int64_t offset() const { return offset_; }
    std::int64_t count() const { return count_; }
    std::int64_t total() const { return total_; }

   private:
    friend class ColumnWriter;
    template <class T>
    void write(const std::string& name, const std::vector<T>& v, int width);
    h5::Group* group_ = nullptr;  // the writer's
    ColumnOptions options_;
    std::int64_t offset_ = 0, count_ = 0, total_ = 0;
    std::string path_;  // the writer's (for messages)
    MPI_Comm comm_ = MPI_COMM_NULL;
  };

  ColumnWriter(const std::string& path, MPI_Comm comm, const RunInfo& run, const std::string& kind,
               ColumnOptions options = {});
  // ~ColumnWriter() removes `path.part` when commit() was not reached.
  ~ColumnWriter();
  ColumnWriter(const ColumnWriter&) = delete;
  ColumnWriter& operator=(const ColumnWriter&) = delete;

  // group() creates a group in the root (e.g. "PartType1") or in `parent`.
  // The writer owns it (commit() closes it): use it through the reference.
  h5::Group& group(const std::string& name);
  h5::Group& group(h5::Group& parent, const std::string& name);
  // values() stores a small dataset of rank 0's values in `g` (its length
  // is taken from rank 0; other ranks' `v` are ignored).
  void values(h5::Group& g, const std::string& name, const std::vector<double>& v);
  // rank_counts() stores every rank's `count` in `g` as dataset `name`
  // (a reader with the same rank count takes back exactly its own rows).
  void rank_counts(h5::Group& g, const std::string& name, std::int64_t count);
  // table() starts rows in group `g` (one of the writer's): this rank has
  // `count` of them.
  Table table(h5::Group& g, std::int64_t count);
  // commit() closes the file and renames it to `path` (every rank learns
  // whether that worked; weft::RunError otherwise).
  void commit();

 private:
  std::string path_;
  MPI_Comm comm_;
  int rank_ = 0;
  ColumnOptions options_;
  std::unique_ptr<h5::File> file_;
  std::deque<h5::Group> groups_;  // closed before the file
  bool committed_ = false;
};

}  // namespace weft::io
