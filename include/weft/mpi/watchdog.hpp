// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace weft::mpi {

// arm_abort_timer() makes sure a failed run ends: unless disarm_abort_timer()
// is called within `seconds`, this process prints `message` to stderr and
// ends the job with MPI_Abort(exit_code) (std::_Exit after MPI_Finalize).
// For a failure after which another rank may wait for ever inside a
// collective call of a library. One timer per process; arming it again
// keeps the earlier deadline. Not collective; thread-safe.
void arm_abort_timer(const std::string& message, double seconds, int exit_code);

// disarm_abort_timer() stops the timer (no effect when it is not armed).
void disarm_abort_timer();

}  // namespace weft::mpi
