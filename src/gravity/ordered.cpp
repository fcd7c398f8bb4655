// SPDX-License-Identifier: Apache-2.0
#include "ordered.hpp"

#include <limits>

#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {

std::vector<double> gather_all(const std::vector<double>& v, MPI_Comm comm) {
  if (v.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw RunError("gravity: more than 2^31 values to gather on one rank");
  return mpi::allgatherv(v.data(), static_cast<int>(v.size()), mpi::Comm(comm));
}

std::vector<double> ordered_sums(const std::vector<double>& rows, int width, MPI_Comm comm) {
  const std::vector<double> all = gather_all(rows, comm);
  const auto w = static_cast<std::size_t>(width);
  std::vector<double> sums(w, 0.0);
  for (std::size_t i = 0; i + w <= all.size(); i += w)
    for (std::size_t k = 0; k < w; ++k) sums[k] += all[i + k];
  return sums;
}

}  // namespace weft::gravity
