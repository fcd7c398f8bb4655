// SPDX-License-Identifier: Apache-2.0
// GoogleTest main for MPI tests: initializes MPI (SERIALIZED, as weft does:
// the agent mode needs FUNNELED, the polling mode SERIALIZED; see
// docs/runtime.md), lets only rank 0 print the result listing, and makes a
// failure on any rank fail the test on every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include "leak_check.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  weft::test::install_leak_listener();
  int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return global;
}
