// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

// This process's rank and the number of ranks in MPI_COMM_WORLD, for tests
// (MPI is initialized by mpi_main.cpp).
inline int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

inline int world_size() {
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}
