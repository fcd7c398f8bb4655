// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `weft` subcommands, for any registry of applications (the CLI passes
// its own, src/cli/applications.cpp). Each returns the process exit code.

#include <string>
#include <vector>

#include "weft/app/kind.hpp"
#include "weft/core/log.hpp"

namespace weft::app {

struct RunOptions {
  std::string program = "weft";  // how weft was invoked (argv[0]), for printed commands
  std::string deck;
  std::vector<std::string> sets;
  std::string restart;
  bool dry_run = false;
  log::Options log;
};

// launch_rank() is this process's rank in its MPI job, read from the
// launcher's environment before MPI starts (0 when not launched by one), so
// that only rank 0 prints problems found before MPI starts.
int launch_rank();

// cmd_run() is `weft run`: every check first (deck, inputs, layout, output
// directory, checkpoint), then the run loop. Initializes and finalizes MPI.
int cmd_run(const RunOptions& o, const Registry& apps);
// cmd_check() is `weft check`: validate every deck (each with `sets`); one
// deck is printed resolved, several get a line each. Exit 2 when any is
// not valid (all are checked and reported first).
int cmd_check(const std::vector<std::string>& decks, const std::vector<std::string>& sets,
              const Registry& apps);
// cmd_info() is `weft info`: versions, SIMD width, thread choice.
int cmd_info();
// cmd_help_deck() is `weft help deck`: the deck reference.
int cmd_help_deck(const Registry& apps);

}  // namespace weft::app
