// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "interfaces.hpp"
#include "parallel.hpp"

// Velocity-Verlet building blocks shared by the integrators (LAMMPS fix nve).
namespace weft::md::detail {

// half_kick(): v += dt/2 f/m for owned atoms.
inline void half_kick(Context& ctx) {
  System& s = ctx.sys;
  const real dthalf = 0.5 * s.dt;
  const real* mass = s.mass.data();
  parallel_range(ctx.threads, s.nlocal, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t i = lo; i < hi; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const real dtfm = dthalf / mass[s.type[k]];
      s.vx[k] += dtfm * s.fx[k];
      s.vy[k] += dtfm * s.fy[k];
      s.vz[k] += dtfm * s.fz[k];
    }
  });
}

// drift(): x += dt v for owned atoms.
inline void drift(Context& ctx) {
  System& s = ctx.sys;
  const real dt = s.dt;
  parallel_range(ctx.threads, s.nlocal, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t i = lo; i < hi; ++i) {
      const auto k = static_cast<std::size_t>(i);
      s.x[k] += dt * s.vx[k];
      s.y[k] += dt * s.vy[k];
      s.z[k] += dt * s.vz[k];
    }
  });
}

inline void scale_velocities(Context& ctx, real factor) {
  System& s = ctx.sys;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    s.vx[k] *= factor;
    s.vy[k] *= factor;
    s.vz[k] *= factor;
  }
}

}  // namespace weft::md::detail
