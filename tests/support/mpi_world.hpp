// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/mpi/comm.hpp"

// This process's rank and the number of ranks in MPI_COMM_WORLD, for tests
// (MPI is initialized by mpi_main.cpp).
inline int world_rank() { return weft::mpi::world().rank(); }

inline int world_size() { return weft::mpi::world().size(); }
