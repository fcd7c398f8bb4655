// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "weft/go/executor.hpp"
#include "weft/gravity/config.hpp"
#include "weft/gravity/particles.hpp"

// Individual power-of-two block time steps (timestep.mode = "block"), as in
// Gadget-2: particle i's step is dt_max / 2^level_i, level_i the smallest k
// with dt_max / 2^k <= sqrt(2 eta epsilon / |a_i|) (at most max_level).
// Time inside one block of dt_max runs on an integer line of 2^max_level
// ticks; a particle's steps start at multiples of their own length, so at
// the end of a block every particle is synchronised. Each particle is
// integrated by leapfrog kick-drift-kick over its own steps:
//   at a tick where its step starts:  choose its level, v += a dt_i / 2;
//   between ticks:                    every particle drifts, x += v dt;
//   at a tick where its step ends:    new force (it is active), v += a dt_i / 2.
// Positions of all particles are at the current tick when forces are
// computed (Gadget-2 drifts every particle too); an inactive particle's
// velocity is its step's half-kicked one, which is exactly the velocity its
// drift needs. A level may grow (a smaller step) at any of the particle's
// step boundaries; it may shrink (a larger step) only to a step whose
// length divides the current tick (the synchronisation rule).
namespace weft::gravity {

// wanted_level() is the smallest k in [0, max_level] with dt_max / 2^k <=
// sqrt(2 eta epsilon / |a|) (0 for a = 0); `capped` says that even
// max_level is too coarse for the criterion.
int wanted_level(double a, const TimestepConfig& t, double epsilon, bool& capped);

// BlockSteps integrates the particles over one block at a time.
class BlockSteps {
 public:
  // forces(min_level) computes new forces of the particles with level >=
  // min_level (0: all) and returns how many of this rank's particles got
  // them: the application's force solver.
  using Forces = std::function<std::int64_t(int min_level)>;

  BlockSteps(const TimestepConfig& t, double epsilon) : t_(t), epsilon_(epsilon) {}

  // advance() moves every particle by dt_max: from a synchronised state
  // (p.acc belonging to p.pos) to the next one. Collective over comm.
  void advance(Particles& p, MPI_Comm comm, go::Executor& exec, const Forces& forces);

  // report() is the block-step lines of the report: sub-steps, force
  // evaluations against one global step of the smallest size taken, the
  // level histogram now, and how often the criterion wanted less than the
  // smallest step. Collective over comm.
  std::string report(const Particles& p, MPI_Comm comm) const;

 private:
  // begin() starts a new step for every particle with level >= min_level at
  // tick `tick`: its level from its acceleration (the synchronisation rule
  // applied) and the first half kick.
  void begin(Particles& p, std::int64_t tick, int min_level, go::Executor& exec);
  // end() is the second half kick of the particles with level >= min_level.
  void end(Particles& p, int min_level, go::Executor& exec);
  // half() is half the step of a particle of level k.
  double half(int k) const { return 0.5 * std::ldexp(t_.dt_max, -k); }

  TimestepConfig t_;
  double epsilon_;
  // in this run, on this rank: sub-steps (force computations), blocks,
  // force evaluations (targets), step choices capped at max_level
  std::int64_t substeps_ = 0, blocks_ = 0, evaluations_ = 0, capped_ = 0;
};

}  // namespace weft::gravity
