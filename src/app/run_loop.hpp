// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the step loop of `weft run`, the same for every application.

#include <mpi.h>

#include <string>

#include "output_lock.hpp"
#include "weft/app/kind.hpp"
#include "weft/core/log.hpp"
#include "weft/io/checkpoint.hpp"

namespace weft::app {

struct RunLoopInput {
  const ApplicationKind& kind;
  const LoadedDeck& deck;
  const std::string& deck_path;
  const std::string& out_dir;
  int threads = 1;
  log::Options log;
  io::CheckpointReader* restart = nullptr;  // continuing from a checkpoint (opened)
  // continue_command is the command that continues this run when given
  // `--restart CHECKPOINT` (launcher, ranks, executable, deck, every --set).
  std::string continue_command;
  std::string banner;          // printed before the output directory existed (for log.txt)
  OutputLock* lock = nullptr;  // the lock of out_dir (rank 0 takes it; every rank describes it)
};

// run_loop() makes the application, creates the shared outputs, runs the
// steps and returns the exit code (0; 3 when the run or its output failed;
// 75 when stopped by a signal with a checkpoint written). It owns the step
// loop and progress line, the observables table (thermo.dat, thermo.h5),
// checkpoints by steps and by wall-clock minutes, signals, flag agreement
// across ranks and the frame of the end-of-run report. Collective. Call
// only after every input check has passed.
int run_loop(const RunLoopInput& in, MPI_Comm comm);

}  // namespace weft::app
