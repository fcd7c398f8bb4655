// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace weft::gravity {

using Vec3 = Eigen::Vector3d;

// Particles are one rank's share of the particles: rows [offset, offset +
// size()) of the global order (contiguous ranges, rank 0 first; the global
// order is the order of generation or of the input file, and every force
// sum runs over it, so results do not depend on the number of ranks).
// acc and pot belong to the current positions (set by a ForceSolver).
struct Particles {
  std::int64_t offset = 0;  // global index of this rank's first particle
  std::int64_t total = 0;   // particles on all ranks
  std::vector<std::int64_t> id;
  std::vector<double> mass;
  std::vector<Vec3> pos, vel, acc;
  std::vector<double> pot;  // potential per unit mass (G included)
  // work is each particle's interactions in the last force computation of a
  // tree that gave it a force, times 2^level (how often it gets one per
  // block; 0 before the first, and with direct summation): the weights of
  // the space-filling-curve decomposition (decompose.hpp).
  std::vector<double> work;
  // stretches: how the distributed tree splits the Morton curve of the
  // particles' cube over the ranks (rank r holds keys [stretches[r],
  // stretches[r + 1])); empty before the first split. Checkpointed.
  std::vector<std::uint64_t> stretches;
  // level is each particle's block time-step level: its step is
  // timestep.dt_max / 2^level (0 with a global step). A force computation
  // with min_level > 0 gives new forces only to the particles with level >=
  // min_level (the active ones); level moves with its particle. Checkpointed.
  std::vector<std::int32_t> level;

  std::size_t size() const { return id.size(); }
  // resize() sets the number of this rank's particles (new ones zero).
  void resize(std::size_t n) {
    id.resize(n, 0);
    mass.resize(n, 0.0);
    pos.resize(n, Vec3::Zero());
    vel.resize(n, Vec3::Zero());
    acc.resize(n, Vec3::Zero());
    pot.resize(n, 0.0);
    work.resize(n, 0.0);
    level.resize(n, 0);
  }
  // active() says whether particle i is a target of a force computation
  // with min_level (every particle when min_level <= 0).
  bool active(std::size_t i, int min_level) const {
    return min_level <= 0 || level[i] >= min_level;
  }
};

// share() is the contiguous range [begin, end) of `total` rows that rank
// `rank` of `ranks` holds: total * rank / ranks to total * (rank + 1) / ranks.
struct Share {
  std::int64_t begin = 0, end = 0;
};
inline Share share(std::int64_t total, int rank, int ranks) {
  return {total * rank / ranks, total * (rank + 1) / ranks};
}

}  // namespace weft::gravity
