// SPDX-License-Identifier: Apache-2.0
#include "weft/io/ordered.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "weft/mpi/collectives.hpp"
#include "weft/mpi/datatype.hpp"

namespace weft::io {

// Layout is the byte layout of one atom record in the exchange: the id,
// then only the fields asked for.
struct IdOrder::Layout {
  std::size_t x = 0, image = 0, v = 0, f = 0, type = 0, size = 0;
  OrderedFields what;
  explicit Layout(const OrderedFields& w) : what(w) {
    std::size_t at = sizeof(gid);
    if (w.positions) {
      x = at;
      image = at + 3 * sizeof(real);
      at = image + 3 * sizeof(std::int32_t);
    }
    if (w.velocities) v = std::exchange(at, at + 3 * sizeof(real));
    if (w.forces) f = std::exchange(at, at + 3 * sizeof(real));
    if (w.types) type = std::exchange(at, at + sizeof(std::int32_t));
    size = at;
  }
};

namespace {

// wrap() stores the position of atom i of `s` wrapped into the periodic
// box, and its image flags shifted by the same number of box lengths.
inline void wrap(const ParticleView& s, index i, real* xo, std::int32_t* io) {
  const real pos[3] = {s.x[i], s.y[i], s.z[i]};
  const std::int32_t img[3] = {s.imx[i], s.imy[i], s.imz[i]};
  for (int d = 0; d < 3; ++d) {
    real p = pos[d];
    std::int32_t im = img[d];
    if (s.box.periodic[d] && !(p >= s.box.lo[d] && p < s.box.hi[d])) {  // inside: no division
      const real len = s.box.hi[d] - s.box.lo[d];
      const real shift = std::floor((p - s.box.lo[d]) / len);
      p -= shift * len;
      im += static_cast<std::int32_t>(shift);
      // Rounding can leave p a few ulps outside [lo, hi): move it one box
      // length back in, with its image, and take hi itself as lo one image up.
      if (p < s.box.lo[d]) {
        p += len;
        --im;
      }
      if (p >= s.box.hi[d]) {
        p = s.box.lo[d];
        ++im;
      }
    }
    xo[d] = p;
    io[d] = im;
  }
}

// pack() writes atom i of `s` as one record of layout `l`.
template <class L>
void pack(const ParticleView& s, index i, const L& l, char* out) {
  std::memcpy(out, &s.id[i], sizeof(gid));
  if (l.what.positions) {
    real xo[3];
    std::int32_t io[3];
    wrap(s, i, xo, io);
    std::memcpy(out + l.x, xo, sizeof(xo));
    std::memcpy(out + l.image, io, sizeof(io));
  }
  if (l.what.velocities) {
    const real v[3] = {s.vx[i], s.vy[i], s.vz[i]};
    std::memcpy(out + l.v, v, sizeof(v));
  }
  if (l.what.forces) {
    const real f[3] = {s.fx[i], s.fy[i], s.fz[i]};
    std::memcpy(out + l.f, f, sizeof(f));
  }
  if (l.what.types) {
    const std::int32_t t = s.type[i];
    std::memcpy(out + l.type, &t, sizeof(t));
  }
}

gid record_id(const char* r) {
  gid id;
  std::memcpy(&id, r, sizeof(id));
  return id;
}

}  // namespace

IdOrder::IdOrder(MPI_Comm comm)
    : comm_(comm), rank_(mpi::Comm(comm).rank()), size_(mpi::Comm(comm).size()) {
  const auto n = static_cast<std::size_t>(size_);
  send_counts_.resize(n);
  recv_counts_.resize(n);
  send_displs_.resize(n);
  recv_displs_.resize(n);
  fill_.resize(n);
}

void IdOrder::place(const char* r, std::int64_t row, const Layout& l) {
  const auto k = static_cast<std::size_t>(row);
  if (l.what.ids) id[k] = record_id(r);
  if (l.what.positions) {
    std::memcpy(&x[3 * k], r + l.x, 3 * sizeof(real));
    std::memcpy(&image[3 * k], r + l.image, 3 * sizeof(std::int32_t));
  }
  if (l.what.velocities) std::memcpy(&v[3 * k], r + l.v, 3 * sizeof(real));
  if (l.what.forces) std::memcpy(&f[3 * k], r + l.f, 3 * sizeof(real));
  if (l.what.types) std::memcpy(&type[k], r + l.type, sizeof(std::int32_t));
}

void IdOrder::gather(const ParticleView& s, const OrderedFields& what) {
  const Layout l(what);
  // Global id range and atom count: dense ids (1..natoms) take the direct path.
  gid range[2] = {std::numeric_limits<gid>::min(), std::numeric_limits<gid>::min()};  // {max, -min}
  for (index i = 0; i < s.count; ++i) {
    range[0] = std::max(range[0], s.id[i]);
    range[1] = std::max(range[1], -s.id[i]);
  }
  std::int64_t local = s.count;
  mpi::allreduce(range, range, 2, MPI_MAX, comm_);
  total = mpi::allreduce(local, MPI_SUM, comm_);
  const gid max_id = range[0], min_id = -range[1];
  const bool dense = total > 0 && min_id == 1 && max_id == total;

  // Destination of every owned atom.
  starts_.resize(static_cast<std::size_t>(size_) + 1);
  for (int r = 0; r <= size_; ++r) starts_[r] = total * r / size_;
  const double span = total > 0 ? static_cast<double>(max_id - min_id) + 1.0 : 1.0;
  dest_.resize(static_cast<std::size_t>(s.count));
  std::fill(send_counts_.begin(), send_counts_.end(), 0);
  for (index i = 0; i < s.count; ++i) {
    int r;
    if (dense) {
      const std::int64_t row = s.id[i] - 1;
      r = static_cast<int>(static_cast<double>(row) * size_ / static_cast<double>(total));
      r = std::clamp(r, 0, size_ - 1);
      while (row < starts_[r]) --r;
      while (row >= starts_[r + 1]) ++r;
    } else {
      r = std::min(size_ - 1,
                   static_cast<int>(static_cast<double>(s.id[i] - min_id) / span * size_));
    }
    dest_[static_cast<std::size_t>(i)] = r;
    // In the dense layout atoms staying on this rank are placed directly.
    if (!(dense && r == rank_)) ++send_counts_[r];
  }
  mpi::alltoall(send_counts_.data(), recv_counts_.data(), 1, comm_);
  std::exclusive_scan(send_counts_.begin(), send_counts_.end(), send_displs_.begin(), 0);
  std::exclusive_scan(recv_counts_.begin(), recv_counts_.end(), recv_displs_.begin(), 0);
  const std::size_t nsend = static_cast<std::size_t>(send_displs_.back() + send_counts_.back());
  const std::size_t nrecv = static_cast<std::size_t>(recv_displs_.back() + recv_counts_.back());

  // Rows held here.
  if (dense) {
    offset = starts_[rank_];
    count = starts_[rank_ + 1] - starts_[rank_];
  } else {
    count = static_cast<std::int64_t>(nrecv);
    offset = mpi::exscan(count, MPI_SUM, comm_);
  }
  const auto rows = static_cast<std::size_t>(count);
  if (what.ids) id.resize(rows);
  if (what.positions) {
    x.resize(3 * rows);
    image.resize(3 * rows);
  }
  if (what.velocities) v.resize(3 * rows);
  if (what.forces) f.resize(3 * rows);
  if (what.types) type.resize(rows);

  // Pack the travelling atoms; place the staying ones.
  send_.resize(nsend * l.size);
  std::copy(send_displs_.begin(), send_displs_.end(), fill_.begin());
  // Dense-layout check: every row of this rank is placed exactly once.
  std::int64_t placed = 0;
  bool twice = false;
  if (dense) seen_.assign(static_cast<std::size_t>(count), 0);
  for (index i = 0; i < s.count; ++i) {
    const int r = dest_[static_cast<std::size_t>(i)];
    if (dense && r == rank_) {  // straight from the system to its row
      const auto k = static_cast<std::size_t>(s.id[i] - 1 - offset);
      if (what.ids) id[k] = s.id[i];
      if (what.positions) wrap(s, i, &x[3 * k], &image[3 * k]);
      if (what.velocities) {
        v[3 * k] = s.vx[i];
        v[3 * k + 1] = s.vy[i];
        v[3 * k + 2] = s.vz[i];
      }
      if (what.forces) {
        f[3 * k] = s.fx[i];
        f[3 * k + 1] = s.fy[i];
        f[3 * k + 2] = s.fz[i];
      }
      if (what.types) type[k] = s.type[i];
      ++placed;
      twice |= seen_[k] != 0;
      seen_[k] = 1;
    } else {
      pack(s, i, l, &send_[static_cast<std::size_t>(fill_[r]++) * l.size]);
    }
  }
  recv_.resize(nrecv * l.size);
  if (size_ > 1) {
    const mpi::Datatype record = mpi::Datatype::bytes(static_cast<int>(l.size));
    mpi::alltoallv(send_.data(), send_counts_.data(), send_displs_.data(), recv_.data(),
                   recv_counts_.data(), recv_displs_.data(), record.get(), comm_);
  } else {
    recv_.swap(send_);
  }

  if (dense) {
    for (std::size_t k = 0; k < nrecv; ++k) {
      const char* r = &recv_[k * l.size];
      const auto row = static_cast<std::size_t>(record_id(r) - 1 - offset);
      place(r, static_cast<std::int64_t>(row), l);
      twice |= seen_[row] != 0;
      seen_[row] = 1;
    }
    placed += static_cast<std::int64_t>(nrecv);
  } else {
    std::vector<std::size_t> order(nrecv);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return record_id(&recv_[a * l.size]) < record_id(&recv_[b * l.size]);
    });
    for (std::size_t k = 0; k < nrecv; ++k) {
      place(&recv_[order[k] * l.size], static_cast<std::int64_t>(k), l);
      // Equal ids always go to the same rank, so they end up neighbours here.
      twice |=
          k > 0 && record_id(&recv_[order[k] * l.size]) == record_id(&recv_[order[k - 1] * l.size]);
    }
  }
  // Every atom once: as many atoms as the system has, no id twice, and in
  // the dense layout every row filled. Anything else (duplicate or lost
  // atoms) is an engine bug, reported on every rank together so that none
  // is left waiting in the next collective call.
  const int bad = total != s.total || twice || (dense && placed != count);
  if (mpi::allreduce(bad, MPI_MAX, comm_))
    throw std::logic_error("IdOrder: " + std::to_string(total) + " atoms on the ranks for " +
                           std::to_string(s.total) +
                           " in the system, or an atom id twice (duplicate or lost atoms)");
}

}  // namespace weft::io
