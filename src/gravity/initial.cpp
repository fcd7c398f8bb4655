// SPDX-License-Identifier: Apache-2.0
// Generated initial conditions: a Plummer sphere (Aarseth, Henon & Wielen
// 1974), a uniform cold sphere, a Kepler two-body orbit. Every particle is
// drawn from its own random stream (random.hpp) by the rank that owns it.
#include "initial.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "ordered.hpp"
#include "random.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

// isotropic() is a unit vector uniform on the sphere from two uniforms.
Vec3 isotropic(double u1, double u2) {
  const double z = 1.0 - 2.0 * u1;
  const double s = std::sqrt(std::max(0.0, 1.0 - z * z));
  const double phi = 2.0 * std::numbers::pi * u2;
  return {s * std::cos(phi), s * std::sin(phi), z};
}

// plummer() draws one particle of a Plummer sphere with G = M = a = 1:
// radius from the inverted mass profile M(r) = r^3 (1 + r^2)^(-3/2), cut at
// `cut`; speed q v_esc with q drawn by rejection from g(q) = q^2 (1 -
// q^2)^(7/2) (the distribution function f(E) ~ (-E)^(7/2)), v_esc =
// sqrt(2) (1 + r^2)^(-1/4).
void plummer(ParticleRandom& rng, double cut, Vec3& x, Vec3& v) {
  double r = 0;
  do {
    r = 1.0 / std::sqrt(std::pow(rng.uniform(), -2.0 / 3.0) - 1.0);
  } while (!(r <= cut));
  const double u1 = rng.uniform();
  x = r * isotropic(u1, rng.uniform());
  double q = 0, y = 0;
  do {
    q = rng.uniform();
    y = 0.1 * rng.uniform();  // max of g(q) is 0.092 (q^2 = 2/9)
  } while (y > q * q * std::pow(1.0 - q * q, 3.5));
  const double ve = std::sqrt(2.0) * std::pow(1.0 + r * r, -0.25);
  const double u2 = rng.uniform();
  v = q * ve * isotropic(u2, rng.uniform());
}

// to_rest() moves the centre of mass to the origin and its velocity to 0
// (ordered sums: the same on any number of ranks).
void to_rest(Particles& p, MPI_Comm comm) {
  std::vector<double> rows(7 * p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    rows[7 * i] = p.mass[i];
    for (int k = 0; k < 3; ++k) {
      rows[7 * i + 1 + static_cast<std::size_t>(k)] = p.mass[i] * p.pos[i][k];
      rows[7 * i + 4 + static_cast<std::size_t>(k)] = p.mass[i] * p.vel[i][k];
    }
  }
  const std::vector<double> s = ordered_sums(rows, 7, comm);
  const Vec3 com = Vec3(s[1], s[2], s[3]) / s[0];
  const Vec3 vcom = Vec3(s[4], s[5], s[6]) / s[0];
  for (std::size_t i = 0; i < p.size(); ++i) {
    p.pos[i] -= com;
    p.vel[i] -= vcom;
  }
}

Particles generate(const InitialConfig& c, double G, MPI_Comm comm) {
  const mpi::Comm mc(comm);
  Particles p;
  p.total = c.style == "kepler" ? 2 : c.count;
  const Share sh = share(p.total, mc.rank(), mc.size());
  p.offset = sh.begin;
  p.resize(static_cast<std::size_t>(sh.end - sh.begin));
  const double m = c.mass / static_cast<double>(p.total);
  const double vscale = std::sqrt(G * c.mass / c.radius);
  for (std::size_t k = 0; k < p.size(); ++k) {
    const std::int64_t i = p.offset + static_cast<std::int64_t>(k);
    p.id[k] = i + 1;
    ParticleRandom rng(static_cast<std::uint64_t>(c.seed), static_cast<std::uint64_t>(i));
    if (c.style == "plummer") {
      plummer(rng, c.cut, p.pos[k], p.vel[k]);
      p.pos[k] *= c.radius;
      p.vel[k] *= vscale;
      p.mass[k] = m;
    } else if (c.style == "cold-sphere") {
      const double r = c.radius * std::cbrt(rng.uniform());
      const double u1 = rng.uniform();
      p.pos[k] = r * isotropic(u1, rng.uniform());
      p.mass[k] = m;
    } else {  // kepler: relative orbit in the x-y plane, centre of mass at rest at 0
      const double mt = c.mass1 + c.mass2, e = c.eccentricity, a = c.semi_major;
      const bool peri = c.start == "pericentre";
      const double r = peri ? a * (1 - e) : a * (1 + e);
      const double v = std::sqrt(G * mt / a * (peri ? (1 + e) / (1 - e) : (1 - e) / (1 + e)));
      const double share_of = i == 0 ? -c.mass2 / mt : c.mass1 / mt;
      p.pos[k] = Vec3(share_of * r, 0, 0);
      p.vel[k] = Vec3(0, share_of * v, 0);
      p.mass[k] = i == 0 ? c.mass1 : c.mass2;
    }
  }
  if (c.style != "kepler") to_rest(p, comm);
  return p;
}

}  // namespace

Particles initial_particles(const Config& c, MPI_Comm comm) {
  const InitialConfig& ic = c.initial;
  if (ic.style == "gadget") {
    Particles p = read_gadget(ic.file, comm);
    check_particles(p, ic.file, comm);
    return p;
  }
  Particles p = generate(ic, c.gravity.G, comm);
  check_particles(p, fmt::format("initial.style = \"{}\"", ic.style), comm);
  return p;
}

void check_particles(const Particles& p, const std::string& source, MPI_Comm comm) {
  std::string problem;
  for (std::size_t i = 0; i < p.size() && problem.empty(); ++i) {
    if (!(std::isfinite(p.mass[i]) && p.mass[i] > 0))
      problem = fmt::format("{}: particle {} has mass {}; every mass must be positive and finite",
                            source, p.id[i], p.mass[i]);
    else if (!p.pos[i].allFinite())
      problem = fmt::format("{}: particle {} has a coordinate that is not finite ({}, {}, {})",
                            source, p.id[i], p.pos[i][0], p.pos[i][1], p.pos[i][2]);
    else if (!p.vel[i].allFinite())
      problem = fmt::format("{}: particle {} has a velocity that is not finite ({}, {}, {})",
                            source, p.id[i], p.vel[i][0], p.vel[i][1], p.vel[i][2]);
  }
  problem = mpi::first_error(problem, mpi::Comm(comm));
  if (!problem.empty()) throw InputError(problem);
  // Every particle at one point: the bounding box has no extent.
  double lo[3], hi[3];
  for (int k = 0; k < 3; ++k) {
    lo[k] = std::numeric_limits<double>::infinity();
    hi[k] = -lo[k];
  }
  for (const Vec3& x : p.pos)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], x[k]);
      hi[k] = std::max(hi[k], x[k]);
    }
  double glo[3], ghi[3];
  mpi::allreduce(lo, glo, 3, MPI_MIN, mpi::Comm(comm));
  mpi::allreduce(hi, ghi, 3, MPI_MAX, mpi::Comm(comm));
  if (p.total >= 2 && glo[0] == ghi[0] && glo[1] == ghi[1] && glo[2] == ghi[2])
    throw InputError(fmt::format(
        "{}: all {} particles are at one point ({}, {}, {}); give the particles distinct positions",
        source, p.total, glo[0], glo[1], glo[2]));
}

}  // namespace weft::gravity
