// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <vector>

#include "ingest.hpp"
#include "parse_tasks.hpp"
#include "rates.hpp"
#include "weft/events/config.hpp"
#include "weft/go/executor.hpp"

// Stage 1 for HDF5 inputs: a columnar table as h5py or pandas users write
// it, a group (events.hdf5_group) with one 1-D dataset per column, all of
// one length, named as [events.columns] names them. Each rank reads a
// contiguous range of rows of every mapped dataset; the values become the
// text of their field (integers in decimal, floating point numbers in
// their shortest round-trip fixed notation, strings as they are) and every
// row goes through parse_row(), the CSV rows' validation. A row's "line"
// is its 0-based index in the datasets. docs/events.md, "HDF5 input".
namespace weft::events {

// is_h5_input() says whether input `file` is read as an HDF5 table:
// events.format = "hdf5", or "auto" and the file has HDF5's signature.
bool is_h5_input(const Config& c, int file);

// check_h5_input() checks HDF5 input `file` before the run: an HDF5 file
// with the group, a 1-D dataset of an accepted type for every mapped
// column, all of one length, at least one row. weft::InputError otherwise.
// Not collective (rank 0 runs it).
void check_h5_input(const Config& c, int file);

// ingest_h5() reads the next part of this rank's rows [N r / P, N (r + 1) /
// P) of HDF5 input `file`, (end - pos) / left of the rows `cur` has left
// (all of them when `left` is 1), moving `cur` on, and parses them with
// `exec`'s workers; the results are in row order. Adds its read and parse
// times and bytes to `stats`. Collective over `comm`.
std::vector<ChunkResult> ingest_h5(const Config& c, const Rates& rates, go::Executor& exec,
                                   MPI_Comm comm, int file, std::int64_t left, Cursor& cur,
                                   Ingested& stats);

}  // namespace weft::events
