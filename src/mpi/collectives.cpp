// SPDX-License-Identifier: Apache-2.0
#include "weft/mpi/collectives.hpp"

namespace weft::mpi {

std::string broadcast_string(const std::string& s, const Comm& comm, int root) {
  const unsigned long long n = bcast(static_cast<unsigned long long>(s.size()), root, comm);
  std::string out = comm.rank() == root ? s : std::string(n, '\0');
  bcast(out.data(), static_cast<int>(n), root, comm);
  return out;
}

std::string first_error(const std::string& mine, const Comm& comm) {
  const int size = comm.size();
  const int lowest = allreduce(mine.empty() ? size : comm.rank(), MPI_MIN, comm);
  if (lowest == size) return "";
  return broadcast_string(mine, comm, lowest);
}

}  // namespace weft::mpi
