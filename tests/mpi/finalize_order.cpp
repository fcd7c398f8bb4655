// SPDX-License-Identifier: Apache-2.0
// Owned MPI objects that outlive the Session: their destructors run after
// MPI_Finalize and must not call MPI (that would abort the job). Exits 0.
#include <cstdio>

#include "weft/mpi/comm.hpp"
#include "weft/mpi/datatype.hpp"
#include "weft/mpi/session.hpp"

int main(int argc, char** argv) {
  weft::mpi::Comm comm;
  weft::mpi::Datatype record;
  {
    weft::mpi::Session session(&argc, &argv);
    comm = weft::mpi::world().dup();
    record = weft::mpi::Datatype::bytes(24);
  }  // MPI_Finalize
  if (!weft::mpi::finalized() || !comm.owned()) return 1;
  std::puts("owned communicator and datatype outlived MPI_Finalize");
  return 0;
}  // their destructors: nothing to free any more
