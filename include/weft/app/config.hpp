// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "weft/deck/schema.hpp"
#include "weft/go/executor.hpp"

// The deck sections every application shares. Their member defaults ARE the
// deck defaults (the schema reads them from a default-constructed struct).
namespace weft::app {

// RunConfig is how long a run is.
struct RunConfig {
  std::int64_t steps = 100;  // the run ends after this step
};

// ObserveConfig says when the application's observables (its thermo
// table) are recorded.
struct ObserveConfig {
  std::int64_t every = 100;  // steps between rows; 0: first and last step only
};

// RuntimeConfig sets up the tasks inside each rank (go::ExecutorConfig).
struct RuntimeConfig {
  go::Scheduler scheduler = go::Scheduler::fibers;  // "fibers" | "openmp"
  int threads = 0;            // worker threads per rank; 0: from the environment
  int stack_kib = 64;         // fiber ("goroutine") stack size
  std::string bind = "none";  // none | cores: pin worker threads
  bool trace = false;         // record a per-task timeline
  bool memory_check = true;   // refuse a run whose estimate exceeds the memory per rank
  double memory_gb = 0;       // memory per rank to check against; 0: the node's available / ranks
};

// OutputConfig says where results go and how per-particle outputs
// (trajectory frames, snapshots) are stored.
struct OutputConfig {
  std::string dir;                       // "": out/<deck name>
  bool overwrite = false;                // allow replacing the results of an earlier run in dir
  int progress_seconds = 10;             // between plain progress lines when not on a terminal
  int compression = 0;                   // gzip level of per-particle outputs (0: none)
  bool checksums = false;                // Fletcher32 checksums on per-particle outputs
  std::string transfer = "independent";  // MPI-IO writes of rows: independent | collective
};

// CheckpointConfig says when checkpoints (ckpt-<step>.h5 in output.dir) are
// written. A signal (SIGTERM, SIGINT, SIGUSR1) always writes one.
struct CheckpointConfig {
  std::int64_t every = 0;  // steps between checkpoints; 0: none by step count
  double minutes = 30;     // wall-clock minutes between checkpoints; 0: none by time
  int keep = 2;            // how many of the newest checkpoints to keep
  bool at_end = true;      // write one when the run completes
};

// CommonConfig is every shared section of a deck, resolved.
struct CommonConfig {
  std::string application = "md";  // a name of the application registry
  RunConfig run;
  ObserveConfig thermo;
  RuntimeConfig runtime;
  OutputConfig output;
  CheckpointConfig checkpoint;
};

// common_schema() declares the shared keys ("application", "run.steps",
// "thermo.every", "runtime.*", "output.*", "checkpoint.*") and their rules:
// the part every application's deck schema includes.
const deck::Schema<CommonConfig>& common_schema();

}  // namespace weft::app

// The deck spells go::Scheduler as "openmp" and "fibers".
template <>
struct weft::deck::EnumNames<weft::go::Scheduler> {
  static const std::vector<std::pair<std::string, weft::go::Scheduler>>& names() {
    static const std::vector<std::pair<std::string, weft::go::Scheduler>> n{
        {"openmp", weft::go::Scheduler::openmp}, {"fibers", weft::go::Scheduler::fibers}};
    return n;
  }
};
