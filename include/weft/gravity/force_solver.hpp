// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "weft/go/executor.hpp"
#include "weft/gravity/config.hpp"
#include "weft/gravity/particles.hpp"

namespace weft::gravity {

// ForceWork is what one force computation did on this rank.
struct ForceWork {
  std::int64_t interactions = 0;  // particle-particle (and, for a tree, particle-node) terms
  std::int64_t targets = 0;       // particles of this rank that got new forces
  double seconds = 0;             // wall time of this rank's force work
};

// ForceSolver computes the softened gravitational acceleration and
// potential of every particle of this rank from all particles of all
// ranks: Particles::acc and Particles::pot (per unit mass, G included; a
// particle does not act on itself). Implementations: "direct" (exact O(N^2)
// summation, direct.cpp); "tree" (Barnes-Hut, added with the tree library).
class ForceSolver {
 public:
  virtual ~ForceSolver() = default;
  // compute() sets p.acc and p.pot of the targets: the particles with
  // p.level >= min_level (every particle when min_level <= 0: block time
  // steps give forces to the active particles only); the others keep
  // theirs. Sources are always every particle of every rank, at p.pos. On
  // entry p.acc holds the accelerations of the previous force computation
  // (zero before the first), which a relative opening criterion reads. A
  // solver may move particles between ranks (every field, level included).
  // Collective over comm (also for a rank without targets); runs its
  // kernels through `exec` (called outside Executor::run()).
  virtual ForceWork compute(Particles& p, MPI_Comm comm, go::Executor& exec, int min_level) = 0;
  // describe() is one line for the banner and the report ("direct summation").
  virtual std::string describe() const = 0;
};

// SolverMaker makes a solver from the deck's [gravity] section.
using SolverMaker = std::function<std::unique_ptr<ForceSolver>(const GravityConfig&)>;

// force_solvers() is the registry of force methods by name (the only list
// of them; the deck's gravity.method choices come from it). Not collective.
const std::map<std::string, SolverMaker>& force_solvers();
// force_solver_names() are the registry's names, sorted.
std::vector<std::string> force_solver_names();

}  // namespace weft::gravity
