// SPDX-License-Identifier: Apache-2.0
#include "observables.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {

namespace {
constexpr int kRow = 8;  // m, x, y, z, vx, vy, vz, phi
}

std::array<double, 3> lagrangian_radii(const std::vector<double>& radius,
                                       const std::vector<double>& mass) {
  std::vector<std::size_t> order(radius.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return radius[a] < radius[b] || (radius[a] == radius[b] && a < b);
  });
  double total = 0;
  for (double m : mass) total += m;
  std::array<double, 3> out{};
  std::size_t f = 0;
  double enclosed = 0;
  for (std::size_t k = 0; k < order.size() && f < out.size(); ++k) {
    enclosed += mass[order[k]];
    // "Reaches" within the round-off of the running sum (relative 1e-12):
    // with equal masses m = M/N the radius is that of particle ceil(f N).
    while (f < out.size() && enclosed >= kLagrangianFractions[f] * total * (1 - 1e-12))
      out[f++] = radius[order[k]];
  }
  return out;
}

Observation observe_particles(const Particles& p, MPI_Comm comm) {
  std::vector<double> rows(kRow * p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    double* r = &rows[kRow * i];
    r[0] = p.mass[i];
    for (int k = 0; k < 3; ++k) {
      r[1 + k] = p.pos[i][k];
      r[4 + k] = p.vel[i][k];
    }
    r[7] = p.pot[i];
  }
  // Every row to rank 0 only (O(N) memory there, O(N / ranks) elsewhere),
  // which sums in the global order and sends the result to every rank.
  const mpi::Comm world(comm);
  if (rows.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw RunError("gravity: more than 2^31 values to gather on one rank");
  const std::vector<double> all =
      mpi::gatherv(rows.data(), static_cast<int>(rows.size()), 0, world);
  Observation o;
  if (world.rank() == 0) {
    const std::size_t n = all.size() / kRow;
    double mtot = 0;
    Vec3 mx = Vec3::Zero();
    for (std::size_t i = 0; i < n; ++i) {
      const double* r = &all[kRow * i];
      const double m = r[0];
      const Vec3 x(r[1], r[2], r[3]), v(r[4], r[5], r[6]);
      o.kinetic += 0.5 * m * v.squaredNorm();
      o.potential += 0.5 * m * r[7];
      o.momentum += m * v;
      o.angular_momentum += m * x.cross(v);
      mtot += m;
      mx += m * x;
    }
    const Vec3 com = mtot > 0 ? Vec3(mx / mtot) : Vec3(Vec3::Zero());
    std::vector<double> radius(n), mass(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double* r = &all[kRow * i];
      radius[i] = (Vec3(r[1], r[2], r[3]) - com).norm();
      mass[i] = r[0];
    }
    o.lagrangian = lagrangian_radii(radius, mass);
  }
  double packed[11] = {
      o.kinetic,       o.potential,           o.momentum[0],         o.momentum[1],
      o.momentum[2],   o.angular_momentum[0], o.angular_momentum[1], o.angular_momentum[2],
      o.lagrangian[0], o.lagrangian[1],       o.lagrangian[2]};
  mpi::bcast(packed, 11, 0, world);
  o.kinetic = packed[0];
  o.potential = packed[1];
  o.momentum = Vec3(packed[2], packed[3], packed[4]);
  o.angular_momentum = Vec3(packed[5], packed[6], packed[7]);
  o.lagrangian = {packed[8], packed[9], packed[10]};
  return o;
}

std::vector<app::Series> observation_series() {
  return {{"kinetic_energy", "KinEng"},
          {"potential_energy", "PotEng"},
          {"total_energy", "TotEng"},
          {"energy_error", "dE/E0"},
          {"virial_ratio", "2K/|W|"},
          {"momentum", "|P|"},
          {"momentum_x", ""},
          {"momentum_y", ""},
          {"momentum_z", ""},
          {"angular_momentum", ""},
          {"angular_momentum_x", ""},
          {"angular_momentum_y", ""},
          {"angular_momentum_z", "Lz"},
          {"lagrangian_radius_10", "R10"},
          {"lagrangian_radius_50", "R50"},
          {"lagrangian_radius_90", "R90"}};
}

std::vector<double> observation_values(const Observation& o, double e0) {
  const double err = e0 != 0 ? (o.total() - e0) / std::abs(e0) : 0.0;
  return {o.kinetic,
          o.potential,
          o.total(),
          err,
          o.virial(),
          o.momentum.norm(),
          o.momentum[0],
          o.momentum[1],
          o.momentum[2],
          o.angular_momentum.norm(),
          o.angular_momentum[0],
          o.angular_momentum[1],
          o.angular_momentum[2],
          o.lagrangian[0],
          o.lagrangian[1],
          o.lagrangian[2]};
}

}  // namespace weft::gravity
