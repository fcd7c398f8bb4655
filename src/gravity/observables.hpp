// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <array>
#include <vector>

#include "weft/app/application.hpp"
#include "weft/gravity/particles.hpp"

namespace weft::gravity {

// kLagrangianFractions are the mass fractions of the Lagrangian radii.
inline constexpr std::array<double, 3> kLagrangianFractions{0.1, 0.5, 0.9};

// Observation is the state of the whole system at one step.
struct Observation {
  double kinetic = 0;    // sum of m v^2 / 2
  double potential = 0;  // sum of m phi / 2
  Vec3 momentum = Vec3::Zero();
  Vec3 angular_momentum = Vec3::Zero();  // about the origin
  std::array<double, 3> lagrangian{};    // radii about the centre of mass at kLagrangianFractions
  double total() const { return kinetic + potential; }
  // virial() is 2K / |W| (1 in equilibrium); 0 when W is 0.
  double virial() const { return potential != 0 ? 2 * kinetic / std::abs(potential) : 0.0; }
};

// observe_particles() computes the observation from every rank's particles
// (velocities and potentials as they are). Every particle's row (mass,
// position, velocity, potential) is gathered to rank 0, whose sums run in
// the global order of the particles (rank order) and go to every rank, so
// the result is the same bits on every rank and, for a layout in the
// global order, on any number of ranks. The Lagrangian radii are exact:
// radii about the centre of mass sorted (O(N log N)), the radius of the
// particle at which the enclosed mass first reaches the fraction (to
// round-off: with equal masses, the radius of particle ceil(f N)). O(N)
// memory on rank 0. Collective.
Observation observe_particles(const Particles& p, MPI_Comm comm);

// lagrangian_radii() are the exact Lagrangian radii of particles at `radius`
// with `mass`, at each of kLagrangianFractions of the total mass. Not
// collective.
std::array<double, 3> lagrangian_radii(const std::vector<double>& radius,
                                       const std::vector<double>& mass);

// observation_series() are the series of an Observation, in the order of
// observation_values(). Not collective.
std::vector<app::Series> observation_series();
// observation_values() are the values of `o`; `e0` is the total energy at
// step 0 (the relative energy error is (E - e0) / |e0|).
std::vector<double> observation_values(const Observation& o, double e0);

}  // namespace weft::gravity
