// SPDX-License-Identifier: Apache-2.0
#include "init.hpp"

#include <cmath>
#include <sstream>

#include "rng.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {

std::array<bool, 3> periodic_flags(const Config& cfg) {
  std::array<bool, 3> p{};
  for (std::size_t d = 0; d < 3; ++d) p[d] = cfg.box.boundary[d] == "p";
  return p;
}

LatticeGeometry lattice_geometry(const LatticeConfig& lc) {
  LatticeGeometry g;
  if (lc.style == "sc") {
    g.basis = {Vec3(0, 0, 0)};
  } else if (lc.style == "bcc") {
    g.basis = {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0.5)};
  } else if (lc.style == "fcc") {
    g.basis = {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0), Vec3(0.5, 0, 0.5), Vec3(0, 0.5, 0.5)};
  } else {
    throw InputError("unknown lattice style \"" + lc.style +
                     "\" in init.lattice.style; use sc, bcc or fcc");
  }
  if (lc.constant > 0) {
    g.a = lc.constant;
  } else {
    if (!(lc.density > 0))
      throw InputError("init.lattice.density must be positive (or give init.lattice.constant)");
    // LAMMPS units lj: lattice constant = (nbasis / rho*)^(1/3)
    g.a = std::pow(static_cast<real>(g.basis.size()) / lc.density, 1.0 / 3.0);
  }
  const real f = lc.style == "sc"    ? 1.0
                 : lc.style == "bcc" ? std::sqrt(3.0) / 2
                                     : 1.0 / std::sqrt(2.0);
  g.nearest = f * g.a;
  return g;
}

Box lattice_box(const Config& cfg) {
  const LatticeGeometry g = lattice_geometry(cfg.init.lattice);
  Box b;
  for (int d = 0; d < 3; ++d) {
    b.lo[d] = 0;
    b.hi[d] = static_cast<real>(cfg.init.lattice.cells[static_cast<std::size_t>(d)]) * g.a;
  }
  b.periodic = periodic_flags(cfg);
  return b;
}

static bool mine(const Context& ctx, const Vec3& p) {
  for (int d = 0; d < 3; ++d)
    if (owner_coord(ctx.grid, d, p[d]) != ctx.grid.coords[static_cast<std::size_t>(d)])
      return false;
  return true;
}

void create_lattice_atoms(Context& ctx) {
  const LatticeConfig& lc = ctx.cfg.init.lattice;
  const LatticeGeometry g = lattice_geometry(lc);
  System& s = ctx.sys;
  const auto nb = static_cast<std::int64_t>(g.basis.size());
  const auto nx = lc.cells[0], ny = lc.cells[1], nz = lc.cells[2];
  // Only scan the cells that can overlap this subdomain.
  std::array<std::int64_t, 3> c0{}, c1{};
  for (std::size_t d = 0; d < 3; ++d) {
    c0[d] = std::max<std::int64_t>(
        0, static_cast<std::int64_t>(std::floor(s.sublo[static_cast<int>(d)] / g.a)) - 1);
    c1[d] = std::min<std::int64_t>(
        lc.cells[d], static_cast<std::int64_t>(std::ceil(s.subhi[static_cast<int>(d)] / g.a)) + 1);
  }
  for (std::int64_t k = c0[2]; k < c1[2]; ++k)
    for (std::int64_t j = c0[1]; j < c1[1]; ++j)
      for (std::int64_t i = c0[0]; i < c1[0]; ++i)
        for (std::int64_t m = 0; m < nb; ++m) {
          const Vec3& b = g.basis[static_cast<std::size_t>(m)];
          const Vec3 p((static_cast<real>(i) + b.x()) * g.a, (static_cast<real>(j) + b.y()) * g.a,
                       (static_cast<real>(k) + b.z()) * g.a);
          if (!mine(ctx, p)) continue;
          const gid id = 1 + m + nb * (i + nx * (j + ny * k));
          s.push_owned(id, lc.type, p.x(), p.y(), p.z());
        }
  s.natoms = nb * nx * ny * nz;
}

void create_data_atoms(Context& ctx, const DataFile& data) {
  System& s = ctx.sys;
  const bool keep_v = data.has_velocities && !ctx.cfg.velocity.create;
  for (const auto& a : data.atoms) {
    if (!mine(ctx, a.x)) continue;
    const Vec3 v = keep_v ? a.v : Vec3::Zero();
    s.push_owned(a.id, a.type, a.x.x(), a.x.y(), a.x.z(), v.x(), v.y(), v.z(), a.image[0],
                 a.image[1], a.image[2]);
  }
  s.natoms = data.natoms;
}

void create_velocities(Context& ctx, real temperature, std::uint64_t seed) {
  System& s = ctx.sys;
  real p[4] = {0, 0, 0, 0};  // momentum, mass
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real m = s.mass[static_cast<std::size_t>(s.type[k])];
    const auto aid = static_cast<std::uint64_t>(s.id[k]);
    const real sd = 1.0 / std::sqrt(m);
    s.vx[k] = sd * detail::gaussian(seed, aid, 0);
    s.vy[k] = sd * detail::gaussian(seed, aid, 1);
    s.vz[k] = sd * detail::gaussian(seed, aid, 2);
    p[0] += m * s.vx[k];
    p[1] += m * s.vy[k];
    p[2] += m * s.vz[k];
    p[3] += m;
  }
  real g[4];
  mpi::allreduce(p, g, 4, MPI_SUM, ctx.comm);
  if (g[3] <= 0) return;
  const real cx = g[0] / g[3], cy = g[1] / g[3], cz = g[2] / g[3];
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    s.vx[k] -= cx;
    s.vy[k] -= cy;
    s.vz[k] -= cz;
  }
  const real n_dof = dof(ctx);
  const real mv2 = kinetic_sum(ctx);
  const real t = n_dof > 0 ? mv2 / n_dof : 0;
  const real factor = t > 0 ? std::sqrt(temperature / t) : 0;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    s.vx[k] *= factor;
    s.vy[k] *= factor;
    s.vz[k] *= factor;
  }
}

}  // namespace weft::md
