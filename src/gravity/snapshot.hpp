// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "weft/app/application.hpp"
#include "weft/gravity/config.hpp"
#include "weft/gravity/particles.hpp"

namespace weft::gravity {

// write_snapshot() writes `p` (every rank its own rows, in the global
// order) at simulated time `time` as one Gadget-2 layout HDF5 file through
// io::ColumnWriter: /Header (NumPart_ThisFile, NumPart_Total,
// NumPart_Total_HighWord, MassTable: 6 entries each; Time, Redshift,
// BoxSize, NumFilesPerSnapshot, Omega0, OmegaLambda, HubbleParam, Flag_*,
// Code = "weft"), /PartType1/{Coordinates, Velocities, Masses, ParticleIDs,
// Potential, Acceleration}, /parameters (the resolved deck; also linked as
// /Parameters) and /Units. Written as path.part and renamed. Collective.
void write_snapshot(const std::string& path, const Particles& p, double time,
                    const app::RunContext& ctx, const Config& c);

// snapshot_name() is "snapshot_<step, 6 digits or more>.hdf5".
std::string snapshot_name(std::int64_t step);

// make_snapshots() is the output writing a snapshot every
// output.snapshot_every steps (and at step 0 of a new run). `p` and `time`
// are read at each write. Collective.
std::unique_ptr<app::Output> make_snapshots(const Config& c, const app::RunContext& ctx,
                                            const Particles& p, const double& time,
                                            std::int64_t first_step);

}  // namespace weft::gravity
