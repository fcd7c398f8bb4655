// SPDX-License-Identifier: Apache-2.0
// Input of hygiene.raw_mpi_finds_planted_calls: the layer's own directory
// may call MPI.
#include <mpi.h>

void allowed(MPI_Comm comm) { MPI_Allowed(comm); }
