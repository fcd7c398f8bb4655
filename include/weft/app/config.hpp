// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "weft/deck/schema.hpp"
#include "weft/md/config.hpp"

namespace weft::app {

// RuntimeConfig sets up the tasks inside each rank.
struct RuntimeConfig {
  std::string scheduler = "openmp";  // openmp | fibers
  int threads = 0;                   // worker threads per rank; 0: from the environment
  int stack_kib = 64;                // fiber ("goroutine") stack size
  std::string bind = "none";         // none | cores: pin worker threads
  bool trace = false;                // record a per-task timeline
};

// OutputConfig says where results go.
struct OutputConfig {
  std::string dir;            // "": out/<deck name>
  bool overwrite = false;     // allow replacing the results of an earlier run in dir
  int progress_seconds = 10;  // between plain progress lines when not on a terminal
  std::int64_t trajectory_every = 0;  // steps between H5MD frames; 0: no trajectory
  bool velocities = true;     // store velocities in trajectory frames
  bool forces = false;        // store forces in trajectory frames
  int compression = 0;        // gzip level of trajectory frames (0: none)
  bool checksums = false;     // Fletcher32 checksums on trajectory frames
  std::string transfer = "independent";  // MPI-IO writes of trajectory rows: independent | collective
};

// CheckpointConfig says when checkpoints (ckpt-<step>.h5 in output.dir) are
// written. A signal (SIGTERM, SIGINT, SIGUSR1) always writes one.
struct CheckpointConfig {
  std::int64_t every = 0;  // steps between checkpoints; 0: none by step count
  double minutes = 30;     // wall-clock minutes between checkpoints; 0: none by time
  int keep = 2;            // how many of the newest checkpoints to keep
  bool at_end = true;      // write one when the run completes
};

// Config is one whole deck, resolved.
struct Config {
  md::Config md;
  RuntimeConfig runtime;
  OutputConfig output;
  CheckpointConfig checkpoint;
};

// schema() is the one declaration of every deck key (src/app/schema*.cpp).
const deck::Schema<Config>& schema();

// deck_reference() is the Markdown deck reference generated from schema():
// `weft help deck` prints it and docs/deck.md is a copy of it.
std::string deck_reference();

}  // namespace weft::app
