// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "interfaces.hpp"
#include "weft/go/blocks.hpp"

// Velocity-Verlet building blocks shared by the integrators (LAMMPS fix nve).
namespace weft::md::detail {

// half_kick(): v += dt/2 f/m for owned atoms.
inline void half_kick(Context& ctx) {
  System& s = ctx.sys;
  const real dthalf = 0.5 * s.dt;
  const bool one_mass = s.ntypes() == 1;
  const real dtfm1 = dthalf / s.mass[1];
  const real* __restrict mass = s.mass.data();
  const int* __restrict type = s.type.data();
  real* __restrict vx = s.vx.data();
  real* __restrict vy = s.vy.data();
  real* __restrict vz = s.vz.data();
  const real* __restrict fx = s.fx.data();
  const real* __restrict fy = s.fy.data();
  const real* __restrict fz = s.fz.data();
  go::parallel_range(ctx.threads, s.nlocal, [&](std::int64_t lo, std::int64_t hi, int) {
    if (one_mass) {
#pragma omp simd
      for (std::int64_t i = lo; i < hi; ++i) {
        vx[i] += dtfm1 * fx[i];
        vy[i] += dtfm1 * fy[i];
        vz[i] += dtfm1 * fz[i];
      }
    } else {
      for (std::int64_t i = lo; i < hi; ++i) {
        const real dtfm = dthalf / mass[type[i]];
        vx[i] += dtfm * fx[i];
        vy[i] += dtfm * fy[i];
        vz[i] += dtfm * fz[i];
      }
    }
  });
}

// drift(): x += dt v for owned atoms.
inline void drift(Context& ctx) {
  System& s = ctx.sys;
  const real dt = s.dt;
  real* __restrict x = s.x.data();
  real* __restrict y = s.y.data();
  real* __restrict z = s.z.data();
  const real* __restrict vx = s.vx.data();
  const real* __restrict vy = s.vy.data();
  const real* __restrict vz = s.vz.data();
  go::parallel_range(ctx.threads, s.nlocal, [&](std::int64_t lo, std::int64_t hi, int) {
#pragma omp simd
    for (std::int64_t i = lo; i < hi; ++i) {
      x[i] += dt * vx[i];
      y[i] += dt * vy[i];
      z[i] += dt * vz[i];
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
