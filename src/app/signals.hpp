// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: stopping a run cleanly on SIGTERM, SIGINT and SIGUSR1.

namespace weft::app {

// StopSignals catches SIGTERM, SIGINT and SIGUSR1 (what Slurm sends with
// --signal, and what mpirun forwards) while it exists. The first one asks
// the run to stop after the current step with a checkpoint; a second SIGINT
// ends the process at once (the default action). Restores the previous
// handlers on destruction.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // pending() is the number of the first signal caught, or 0.
  static int pending() noexcept;
};

}  // namespace weft::app
