// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: MD's adapters on the shared I/O layer: its particles as the
// parallel writers see them, its checkpoint contents, its H5MD trajectory,
// and its thermo row as the application's observables.

#include <memory>
#include <string>
#include <vector>

#include "weft/app/application.hpp"
#include "weft/io/checkpoint.hpp"
#include "weft/io/particles.hpp"
#include "weft/md/config.hpp"
#include "weft/md/particles.hpp"
#include "weft/md/simulation.hpp"
#include "weft/md/snapshot.hpp"

namespace weft::md {

// write_snapshot() adds a snapshot to a checkpoint; read_snapshot() reads
// it back (this rank's share). Collective.
void write_snapshot(io::CheckpointWriter& w, const Snapshot& s);
Snapshot read_snapshot(io::CheckpointReader& r);

// thermo_series() are the observables of MD, in the order of
// thermo_values(): temperature, energies per atom, pressure, volume, atoms
// (LAMMPS `units lj` conventions).
std::vector<app::Series> thermo_series();
std::vector<double> thermo_values(const ThermoRow& row);
// thermo_columns() maps thermo.columns (LAMMPS thermo keywords: step, time,
// temp, pe, ke, etotal, press, volume, atoms) to the table's columns.
std::vector<std::string> thermo_columns(const ThermoConfig& thermo);

// open_trajectory() is the H5MD trajectory output of a run (trajectory.h5md
// in the output directory, frames every cfg.trajectory.every steps), new
// or continued after the checkpoint step. Collective.
std::unique_ptr<app::Output> open_trajectory(Simulation& sim, const Config& cfg,
                                             const app::RunContext& ctx);

}  // namespace weft::md
