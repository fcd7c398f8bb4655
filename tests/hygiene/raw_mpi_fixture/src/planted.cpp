// SPDX-License-Identifier: Apache-2.0
// Input of hygiene.raw_mpi_finds_planted_calls (never compiled): three raw
// calls to report (lines 7, 9, 20), and look-alikes to pass over.
#include <mpi.h>

void planted(MPI_Comm comm, double* x) {
  MPI_Barrier(comm);
  // clang-format off
  MPI_Allreduce (MPI_IN_PLACE, x, 1, MPI_DOUBLE, MPI_SUM, comm);
  // clang-format on
  /* MPI_Comm_in_comment(comm);
     MPI_Comm_in_comment(comm); */
  // MPI_Comm_in_comment(comm);
  const char* s = "MPI_In_string(comm)";
  const char c = '"';
  const char* r = R"x(MPI_Raw_string(comm) ")x";
  MPI_Comm copy = MPI_Comm(comm);
  (void)s, (void)c, (void)r, (void)copy;
  const int n = 1'000;
  double t = MPI_Wtime() + n;
  (void)t;
}
