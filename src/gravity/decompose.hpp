// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "weft/gravity/particles.hpp"
#include "weft/gravity/tree.hpp"
#include "weft/mpi/comm.hpp"

// The domain decomposition of the tree solver: particles split over the
// ranks along the Morton curve of their common bounding cube, each rank a
// contiguous stretch of the curve holding an equal share of the work (the
// interactions of the previous force computation, Particles::work; one per
// particle before the first). A rank's particles are then a compact region,
// so its tree walks share nodes; and ranks get equal work, not equal counts.
namespace weft::gravity {

// work_imbalance() is the largest rank's total work over the mean (1:
// balanced), 0 when no particle has work yet. Collective over comm.
double work_imbalance(const Particles& p, const mpi::Comm& comm);

// global_cube() is the cube of the bounding box of all particles
// (cube_of_box()): every rank's tree is built in it. Collective over comm.
Cube global_cube(const Particles& p, const mpi::Comm& comm);

// cut_curve() cuts the Morton curve of `cube` into one stretch per rank of
// equal work: rank r gets keys [cuts[r], cuts[r + 1]) (cuts[0] = 0,
// cuts[ranks] = kEndOfCurve; particles of one key stay together).
// Collective over comm; every rank gets the same cuts.
std::vector<std::uint64_t> cut_curve(const Particles& p, const Cube& cube, const mpi::Comm& comm);

// migrate() moves every particle (every field) to the rank whose stretch
// holds its key in `cube` and orders each rank's particles along the curve
// (ties by id); offset and total are updated. Collective over comm.
void migrate(Particles& p, const Cube& cube, std::span<const std::uint64_t> stretches,
             const mpi::Comm& comm);

// decompose() moves the particles (every field) to the rank of their stretch
// of the curve and orders each rank's particles along it; offset and total
// are updated. Deterministic: the same particles and work give the same
// layout. Collective over comm.
// It is migrate() with the cuts of cut_curve() in global_cube().
void decompose(Particles& p, const mpi::Comm& comm);

}  // namespace weft::gravity
