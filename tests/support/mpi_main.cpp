// SPDX-License-Identifier: Apache-2.0
// GoogleTest main for MPI tests: initializes MPI as weft does (mpi::Session:
// MPI_THREAD_SERIALIZED, MPI_ERRORS_RETURN on MPI_COMM_WORLD), lets only
// rank 0 print the result listing, and makes a failure on any rank fail the
// test on every rank.
#include <gtest/gtest.h>

#include "leak_check.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

int main(int argc, char** argv) {
  weft::mpi::Session session(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (session.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  weft::test::install_leak_listener();
  const int local = RUN_ALL_TESTS();
  return weft::mpi::allreduce(local, MPI_MAX, MPI_COMM_WORLD);
}
