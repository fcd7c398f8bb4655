// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace weft::gravity {

// ordered_sums() is the sum over every particle of all ranks of `width`
// values per particle (this rank's rows, row-major in `rows`), added in the
// global order of the particles: the same bits on every rank and on any
// number of ranks. It gathers every row to every rank (MPI_Allgatherv), so
// it is O(N) memory per rank. Collective.
std::vector<double> ordered_sums(const std::vector<double>& rows, int width, MPI_Comm comm);

// gather_all() is the concatenation of every rank's `v` in rank order (the
// global order), on every rank. Collective.
std::vector<double> gather_all(const std::vector<double>& v, MPI_Comm comm);

}  // namespace weft::gravity
