// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the step loop of `weft run` and the outputs it feeds.

#include <mpi.h>

#include <string>

#include <vector>

#include "weft/app/config.hpp"
#include "weft/core/log.hpp"
#include "weft/md/simulation.hpp"
#include "weft/md/snapshot.hpp"

namespace weft::app {

// Restart is what a checkpoint gave this rank.
struct Restart {
  md::Snapshot snapshot;
  std::vector<md::ThermoRow> thermo;
};

struct DriveInput {
  const Config& config;
  const std::string& resolved_deck;
  const std::string& deck_path;
  const std::string& out_dir;
  int threads = 1;
  log::Options log;
  const Restart* restart = nullptr;  // continuing from a checkpoint
  std::string restart_path;
};

// drive() creates the outputs, runs the simulation and returns the exit
// code (0, or 3 when the run or its output failed). Collective. Call only
// after every input check has passed.
int drive(const DriveInput& in, MPI_Comm comm);

}  // namespace weft::app
