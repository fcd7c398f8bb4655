// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/gravity/particles.hpp"
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

// decompose() moves the particles (every field) to the rank of their stretch
// of the curve and orders each rank's particles along it; offset and total
// are updated. Deterministic: the same particles and work give the same
// layout. Collective over comm.
void decompose(Particles& p, const mpi::Comm& comm);

}  // namespace weft::gravity
