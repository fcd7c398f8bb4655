// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include "weft/gravity/config.hpp"
#include "weft/gravity/particles.hpp"

namespace weft::gravity {

// initial_particles() makes this rank's share of the initial particles
// (contiguous global rows, Particles::offset) as the deck's [initial]
// section says (velocities scaled with gravity.G): generated (plummer, cold-sphere, kepler: each
// rank generates the rows it owns, every particle from its own random stream, so the particles are
// the same bits on any number of ranks; the centre of mass is moved to rest at the origin with
// ordered sums) or read from a Gadget HDF5 file (read_gadget()). Then check_particles().
// Collective; weft::InputError for bad input.
Particles initial_particles(const Config& c, MPI_Comm comm);

// read_gadget() reads this rank's rows of PartType1 of a Gadget-format HDF5
// file (Coordinates, Velocities, ParticleIDs, Masses or MassTable[1]),
// checking the header's counts against the datasets. Collective;
// weft::InputError naming the file and what is wrong.
Particles read_gadget(const std::string& path, MPI_Comm comm);

// gadget_count() is the number of PartType1 particles a Gadget file's
// header announces, after checking the header (one file, no other types,
// counts that agree). Not collective; weft::InputError.
std::int64_t gadget_count(const std::string& path);

// check_particles() refuses particles no run can start from: a mass that
// is not positive and finite, a coordinate or velocity that is not finite,
// every particle at one point. Collective; weft::InputError saying which
// particle (by id) and how to fix it.
void check_particles(const Particles& p, const std::string& source, MPI_Comm comm);

}  // namespace weft::gravity
