// SPDX-License-Identifier: Apache-2.0
#include "weft/io/ordered.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace weft::io {

OrderedBlock order_by_id(const md::System& s, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  gid local_max = 0;
  for (index i = 0; i < s.nlocal; ++i) local_max = std::max(local_max, s.id[i]);
  gid max_id = 0;
  MPI_Allreduce(&local_max, &max_id, 1, MPI_INT64_T, MPI_MAX, comm);
  auto owner = [&](gid id) {
    const double share = static_cast<double>(id - 1) / static_cast<double>(std::max<gid>(max_id, 1));
    return std::min(size - 1, static_cast<int>(share * size));
  };

  // Pack owned atoms by destination rank, wrapped into the box.
  std::vector<int> send_counts(size, 0), recv_counts(size), send_displs(size), recv_displs(size);
  for (index i = 0; i < s.nlocal; ++i) ++send_counts[owner(s.id[i])];
  for (int r = 1; r < size; ++r) send_displs[r] = send_displs[r - 1] + send_counts[r - 1];
  std::unique_ptr<OrderedAtom[]> send(new OrderedAtom[static_cast<std::size_t>(s.nlocal)]);
  std::vector<int> fill = send_displs;
  const md::Vec3 len = s.box.length();
  for (index i = 0; i < s.nlocal; ++i) {
    OrderedAtom a{};
    a.id = s.id[i];
    a.type = s.type[i];
    const real pos[3] = {s.x[i], s.y[i], s.z[i]};
    const std::int32_t im[3] = {s.imx[i], s.imy[i], s.imz[i]};
    for (int d = 0; d < 3; ++d) {
      real p = pos[d];
      std::int32_t img = im[d];
      if (s.box.periodic[d]) {
        const real shift = std::floor((p - s.box.lo[d]) / len[d]);
        p -= shift * len[d];
        img += static_cast<std::int32_t>(shift);
        if (p >= s.box.hi[d]) p = s.box.lo[d];  // rounding at the upper edge
      }
      a.x[d] = p;
      a.image[d] = img;
    }
    a.v = {s.vx[i], s.vy[i], s.vz[i]};
    a.f = {s.fx[i], s.fy[i], s.fz[i]};
    send[static_cast<std::size_t>(fill[owner(a.id)]++)] = a;
  }
  MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm);
  for (int r = 1; r < size; ++r) recv_displs[r] = recv_displs[r - 1] + recv_counts[r - 1];
  const int nrecv = recv_displs[size - 1] + recv_counts[size - 1];

  MPI_Datatype atom_type;
  MPI_Type_contiguous(static_cast<int>(sizeof(OrderedAtom)), MPI_BYTE, &atom_type);
  MPI_Type_commit(&atom_type);
  OrderedBlock out;
  if (size == 1) {
    out.atoms.assign(send.get(), send.get() + nrecv);
  } else {
    out.atoms.resize(static_cast<std::size_t>(nrecv));
    MPI_Alltoallv(send.get(), send_counts.data(), send_displs.data(), atom_type, out.atoms.data(),
                  recv_counts.data(), recv_displs.data(), atom_type, comm);
  }
  MPI_Type_free(&atom_type);
  // Ids are usually dense (1..N): then each atom goes straight to its row;
  // otherwise sort.
  gid lo_id = std::numeric_limits<gid>::max(), hi_id = std::numeric_limits<gid>::min();
  for (const auto& a : out.atoms) {
    lo_id = std::min(lo_id, a.id);
    hi_id = std::max(hi_id, a.id);
  }
  if (!out.atoms.empty() && hi_id - lo_id + 1 == nrecv) {
    std::vector<OrderedAtom> placed;
    placed.reserve(out.atoms.size());
    placed.resize(out.atoms.size());
    std::vector<char> seen(out.atoms.size(), 0);
    bool dense = true;
    for (const auto& a : out.atoms) {
      const auto k = static_cast<std::size_t>(a.id - lo_id);
      if (seen[k]) {
        dense = false;  // a duplicate id: leave it to the sort below
        break;
      }
      seen[k] = 1;
      placed[k] = a;
    }
    if (dense) out.atoms.swap(placed);
    else std::sort(out.atoms.begin(), out.atoms.end(), [](const OrderedAtom& a, const OrderedAtom& b) { return a.id < b.id; });
  } else {
    std::sort(out.atoms.begin(), out.atoms.end(),
              [](const OrderedAtom& a, const OrderedAtom& b) { return a.id < b.id; });
  }

  const std::int64_t mine = nrecv;
  MPI_Exscan(&mine, &out.offset, 1, MPI_INT64_T, MPI_SUM, comm);
  if (rank == 0) out.offset = 0;
  MPI_Allreduce(&mine, &out.total, 1, MPI_INT64_T, MPI_SUM, comm);
  return out;
}

}  // namespace weft::io
