// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: stopping a run cleanly on a signal.

#include <string>

namespace weft::app {

// StopSignals catches SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 (what
// Slurm sends with --signal, what mpirun forwards, a closed terminal) while
// it exists; `weft run` makes one before any other work, so a signal at any
// moment is seen. The first one asks the run to stop with a checkpoint (at
// its first step boundary, step 0 included); a second SIGINT ends the process
// at once (the default action). Restores the previous handlers on
// destruction.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // pending() is the number of the first signal caught, or 0.
  static int pending() noexcept;
};

// signal_name() is "SIGTERM", ... for messages.
std::string signal_name(int sig);

}  // namespace weft::app
