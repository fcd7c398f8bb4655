// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the `weft` subcommands. Each returns the process exit code.

#include <string>
#include <vector>

#include "weft/core/log.hpp"

namespace weft::app {

struct RunOptions {
  std::string deck;
  std::vector<std::string> sets;
  std::string restart;
  bool dry_run = false;
  log::Options log;
};

// launch_rank() is this process's rank in its MPI job, read from the
// launcher's environment before MPI_Init (0 when not launched by one), so
// that only rank 0 prints problems found before MPI starts.
int launch_rank();

int cmd_run(const RunOptions& o);  // initializes and finalizes MPI
int cmd_check(const std::string& deck, const std::vector<std::string>& sets);
int cmd_info();
int cmd_help_deck();

}  // namespace weft::app
