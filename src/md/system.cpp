// SPDX-License-Identifier: Apache-2.0
#include "weft/md/system.hpp"

#include <algorithm>
#include <cstring>

#include "interfaces.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {

void System::resize(index n) {
  const auto u = static_cast<std::size_t>(n);
  for (auto* v : {&x, &y, &z, &vx, &vy, &vz, &fx, &fy, &fz}) v->resize(u);
  id.resize(u);
  type.resize(u);
  imx.resize(u);
  imy.resize(u);
  imz.resize(u);
}

void System::push_owned(gid id_, int type_, real x_, real y_, real z_, real vx_, real vy_, real vz_,
                        std::int32_t ix, std::int32_t iy, std::int32_t iz) {
  const index i = nlocal;
  if (static_cast<index>(x.size()) <= i) resize(std::max<index>(16, 2 * i + 1));
  const auto k = static_cast<std::size_t>(i);
  x[k] = x_;
  y[k] = y_;
  z[k] = z_;
  vx[k] = vx_;
  vy[k] = vy_;
  vz[k] = vz_;
  fx[k] = fy[k] = fz[k] = 0;
  id[k] = id_;
  type[k] = type_;
  imx[k] = ix;
  imy[k] = iy;
  imz[k] = iz;
  ++nlocal;
}

real kinetic_sum(const Context& ctx) {
  const System& s = ctx.sys;
  real local = 0;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    local += s.mass[static_cast<std::size_t>(s.type[k])] *
             (s.vx[k] * s.vx[k] + s.vy[k] * s.vy[k] + s.vz[k] * s.vz[k]);
  }
  return mpi::allreduce(local, MPI_SUM, ctx.comm);
}

real dof(const Context& ctx) {
  return std::max<real>(0.0, 3.0 * static_cast<real>(ctx.sys.natoms) - 3.0);
}

}  // namespace weft::md
