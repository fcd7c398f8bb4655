// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "data_file.hpp"
#include "interfaces.hpp"

// Initial conditions: lattices, LAMMPS data files, Maxwell-Boltzmann velocities.
namespace weft::md {

// Lattice geometry with LAMMPS `lattice` semantics (orthogonal, no orient).
struct LatticeGeometry {
  real a = 1;               // lattice constant (sigma)
  std::vector<Vec3> basis;  // fractional basis positions
  real nearest = 1;         // nearest-neighbour distance
};
LatticeGeometry lattice_geometry(const LatticeConfig& lc);  // throws InputError
Box lattice_box(const Config& cfg);

// Creates this rank's atoms (owned atoms in its subdomain).
void create_lattice_atoms(Context& ctx);
void create_data_atoms(Context& ctx, const DataFile& data);
// Maxwell-Boltzmann velocities at `temperature` (counter-based per atom id),
// zero total momentum, rescaled exactly to the temperature. Collective.
void create_velocities(Context& ctx, real temperature, std::uint64_t seed);

// owner_coord(): the subdomain index along d that owns coordinate v.
int owner_coord(const Grid& g, int d, real v);

std::array<bool, 3> periodic_flags(const Config& cfg);

}  // namespace weft::md
