// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <string>

#include "weft/h5/group.hpp"

namespace weft::h5 {

enum class Mode { create, read, read_write };

// FileOptions tunes how a file is laid out and written; the defaults suit
// small files.
struct FileOptions {
  // Every object of at least `align_threshold` bytes (metadata included)
  // starts at a multiple of `alignment` bytes; 0: no alignment.
  hsize_t alignment = 0;
  hsize_t align_threshold = 1;
  // How ranks move dataset data in a parallel file (Dataset::write/read):
  // collective (MPI-IO may funnel it through aggregator ranks) or
  // independent (each rank reads and writes its own selection).
  Transfer transfer = Transfer::collective;
};

// is_hdf5() says whether `path` is an HDF5 file (its signature); false for
// a file that does not exist or cannot be read.
bool is_hdf5(const std::string& path);

// File is an open HDF5 file; as a Group it is the root "/". With a
// communicator it is opened by every rank of it together over MPI-IO
// (collective metadata, collective transfers); the constructor, close() and
// every metadata operation are then collective. With MPI_COMM_NULL it is an
// ordinary serial file. Mode::create truncates an existing file.
//
//   h5::File f("run.h5.tmp", h5::Mode::create, comm);
//   f.create_group("particles");
//   f.close();
class File : public Group {
 public:
  File(const std::string& path, Mode mode, MPI_Comm comm = MPI_COMM_NULL,
       const FileOptions& options = {});
  ~File();
  File(File&&) = default;

  // flush() writes buffered data to the file system.
  void flush();
  // close() closes the file and reports any error (the destructor cannot).
  // Every group and dataset of the file must be destroyed first: HDF5's
  // MPI-IO driver refuses to close a file with objects still open.
  void close();
};

}  // namespace weft::h5
