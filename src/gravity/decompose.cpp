// SPDX-License-Identifier: Apache-2.0
// Decomposition along the Morton curve. Every rank gathers (key, id, work)
// of all particles (24 bytes each: the tree solver gathers every position
// anyway), sorts them and cuts the curve where the cumulative work crosses
// r/R of the total; particles then move with one MPI_Alltoallv of rows of
// kRow doubles. A distributed tree would cut the curve with a parallel
// sort instead (docs/gravity.md).
#include "decompose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>

#include "tree/impl/morton.hpp"
#include "weft/core/error.hpp"
#include "weft/core/key_sort.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

// A particle as a row: id, mass, pos(3), vel(3), acc(3), pot, work, level, key.
constexpr int kRow = 15;
constexpr int kKey = kRow - 1;

double as_double(std::uint64_t v) { return std::bit_cast<double>(v); }
std::uint64_t as_bits(double v) { return std::bit_cast<std::uint64_t>(v); }

int checked_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw RunError(
        fmt::format("gravity: {} values of {} on one rank exceed MPI's int counts; "
                    "run on more ranks",
                    n, what));
  return static_cast<int>(n);
}

// keys() are the Morton keys of this rank's particles in `cube`.
std::vector<std::uint64_t> keys(const Particles& p, const Cube& cube) {
  const double scale = static_cast<double>(impl::kCells) / cube.side;
  std::vector<std::uint64_t> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    out[i] = impl::morton_key(p.pos[i].x(), p.pos[i].y(), p.pos[i].z(), cube.origin, scale);
  return out;
}

}  // namespace

double work_imbalance(const Particles& p, const mpi::Comm& comm) {
  const double mine = std::accumulate(p.work.begin(), p.work.end(), 0.0);
  const std::vector<double> all = mpi::allgather(mine, comm);
  const double sum = std::accumulate(all.begin(), all.end(), 0.0);
  if (sum <= 0) return 0.0;
  return *std::max_element(all.begin(), all.end()) / (sum / static_cast<double>(all.size()));
}

Cube global_cube(const Particles& p, const mpi::Comm& comm) {
  double lo[3], hi[3];
  for (int k = 0; k < 3; ++k) {
    lo[k] = std::numeric_limits<double>::max();
    hi[k] = std::numeric_limits<double>::lowest();
  }
  for (const Vec3& x : p.pos)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], x[k]);
      hi[k] = std::max(hi[k], x[k]);
    }
  double glo[3], ghi[3];
  mpi::allreduce(lo, glo, 3, MPI_MIN, comm);
  mpi::allreduce(hi, ghi, 3, MPI_MAX, comm);
  if (glo[0] > ghi[0]) {  // no particle anywhere
    for (int k = 0; k < 3; ++k) glo[k] = ghi[k] = 0;
  }
  return cube_of_box(glo, ghi);
}

std::vector<std::uint64_t> cut_curve(const Particles& p, const Cube& cube, const mpi::Comm& comm) {
  const int ranks = comm.size();
  const std::size_t n = p.size();
  const std::vector<std::uint64_t> key = keys(p, cube);
  std::vector<double> weight(n);
  for (std::size_t i = 0; i < n; ++i) weight[i] = p.work[i] > 0 ? p.work[i] : 1.0;
  const int cn = checked_int(n, "particles");
  const std::vector<std::uint64_t> all_key = mpi::allgatherv(key.data(), cn, comm);
  const std::vector<double> all_w = mpi::allgatherv(weight.data(), cn, comm);
  const std::size_t total = all_key.size();
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // ties in gathered order (rank order): the sum below is then the same on every rank
  sort_indices_by_key(all_key, order);
  double sum = 0;
  for (std::size_t j : order) sum += all_w[j];
  // Rank r's stretch starts at the first key whose work before it reaches
  // r/R of the total; particles with one key stay together.
  std::vector<std::uint64_t> cuts(static_cast<std::size_t>(ranks) + 1, kEndOfCurve);
  cuts[0] = 0;
  double before = 0;
  int r = 1;
  for (std::size_t j = 0; j < total && r < ranks; ++j) {
    const std::uint64_t k = all_key[order[j]];
    const bool new_key = j == 0 || all_key[order[j - 1]] != k;
    while (new_key && r < ranks && before >= sum * r / ranks)
      cuts[static_cast<std::size_t>(r++)] = k;
    before += all_w[order[j]];
  }
  return cuts;
}

void migrate(Particles& p, const Cube& cube, std::span<const std::uint64_t> stretches,
             const mpi::Comm& comm) {
  const int ranks = comm.size();
  const std::size_t n = p.size();
  const std::vector<std::uint64_t> key = keys(p, cube);
  std::vector<int> dest_of(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = std::upper_bound(stretches.begin(), stretches.end(), key[i]);
    dest_of[i] = std::clamp(static_cast<int>(it - stretches.begin()) - 1, 0, ranks - 1);
  }
  std::vector<int> send_counts(static_cast<std::size_t>(ranks), 0);
  for (std::size_t i = 0; i < n; ++i) send_counts[static_cast<std::size_t>(dest_of[i])] += kRow;
  std::vector<int> send_displs(static_cast<std::size_t>(ranks), 0);
  for (int r = 1; r < ranks; ++r)
    send_displs[static_cast<std::size_t>(r)] =
        send_displs[static_cast<std::size_t>(r - 1)] + send_counts[static_cast<std::size_t>(r - 1)];
  std::vector<double> send(n * kRow);
  std::vector<int> fill = send_displs;
  for (std::size_t i = 0; i < n; ++i) {
    double* row = send.data() + fill[static_cast<std::size_t>(dest_of[i])];
    fill[static_cast<std::size_t>(dest_of[i])] += kRow;
    row[0] = as_double(static_cast<std::uint64_t>(p.id[i]));
    row[1] = p.mass[i];
    for (int k = 0; k < 3; ++k) {
      row[2 + k] = p.pos[i][k];
      row[5 + k] = p.vel[i][k];
      row[8 + k] = p.acc[i][k];
    }
    row[11] = p.pot[i];
    row[12] = p.work[i];
    row[13] = static_cast<double>(p.level[i]);
    row[kKey] = as_double(key[i]);
  }
  std::vector<int> recv_counts(static_cast<std::size_t>(ranks));
  mpi::alltoall(send_counts.data(), recv_counts.data(), 1, comm);
  std::vector<int> recv_displs(static_cast<std::size_t>(ranks), 0);
  std::size_t recv_total = 0;
  for (int r = 0; r < ranks; ++r) {
    recv_displs[static_cast<std::size_t>(r)] = checked_int(recv_total, "particle rows");
    recv_total += static_cast<std::size_t>(recv_counts[static_cast<std::size_t>(r)]);
  }
  std::vector<double> recv(recv_total);
  mpi::alltoallv(send.data(), send_counts.data(), send_displs.data(), recv.data(),
                 recv_counts.data(), recv_displs.data(), mpi::datatype<double>(), comm);
  // Along the curve on this rank too (ties by id).
  const std::size_t m = recv_total / kRow;
  std::vector<std::size_t> rows(m);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  auto row_key = [&](std::size_t r) { return as_bits(recv[r * kRow + kKey]); };
  auto row_id = [&](std::size_t r) { return as_bits(recv[r * kRow]); };
  std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return row_key(a) != row_key(b) ? row_key(a) < row_key(b) : row_id(a) < row_id(b);
  });
  p.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = recv.data() + rows[i] * kRow;
    p.id[i] = static_cast<std::int64_t>(as_bits(row[0]));
    p.mass[i] = row[1];
    for (int k = 0; k < 3; ++k) {
      p.pos[i][k] = row[2 + k];
      p.vel[i][k] = row[5 + k];
      p.acc[i][k] = row[8 + k];
    }
    p.pot[i] = row[11];
    p.work[i] = row[12];
    p.level[i] = static_cast<std::int32_t>(row[13]);
  }
  p.offset = mpi::exscan(static_cast<std::int64_t>(m), MPI_SUM, comm);
}

void decompose(Particles& p, const mpi::Comm& comm) {
  const Cube cube = global_cube(p, comm);
  migrate(p, cube, cut_curve(p, cube, comm), comm);
}

}  // namespace weft::gravity
