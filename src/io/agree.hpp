// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <exception>
#include <string>

#include "weft/io/space.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/watchdog.hpp"

namespace weft::io {

// io_timeout() is the longest one step of a parallel write may take before
// the job is ended (seconds): WEFT_IO_TIMEOUT, 600 unless set.
double io_timeout();

// all_or_none() runs `write` (one step of a parallel write: a dataset
// created, a slab written, a flush; `what` names it) on every rank and
// agrees on how it went: when it threw on any rank, it throws on every rank
// (NoSpace when the file system of `path` is full), so no rank goes on to
// the next collective call alone. A write that fails on one rank can also
// leave the others waiting inside a collective call of parallel HDF5 that
// never returns: every step is timed (mpi::arm_abort_timer), and a step
// that has not ended within io_timeout() seconds ends the job (exit 3) with
// a message naming it. Collective over comm.
template <class F>
void all_or_none(MPI_Comm comm, const std::string& path, F&& write) {
  const int code = static_cast<int>(ExitCode::run_failed);
  // (No statvfs here: this runs at every step of every write, on every
  // rank; a parallel file system answers it from its metadata server.)
  mpi::arm_abort_timer("writing " + path + " did not complete", io_timeout(), code);
  std::string error;
  try {
    write();
  } catch (const std::exception& e) {
    error = write_failure(path, e.what());
    if (error.empty()) error = "unknown error";
  }
  error = mpi::first_error(error, comm);
  if (error.empty()) {
    mpi::disarm_abort_timer();
    return;
  }
  // Failed: the timer stays armed, so that the end of the run is bounded.
  if (error.rfind("no space left", 0) == 0) throw NoSpace(error);
  throw RunError(error);
}

}  // namespace weft::io
