// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/types.hpp"

// The particle state of one MPI rank of a molecular-dynamics run, in
// structure-of-arrays form. Readers (trajectory/checkpoint writers, tests)
// may read every member; only the MD engine writes them.
namespace weft::md {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

// Box is an orthogonal simulation box [lo, hi) with per-dimension periodicity.
struct Box {
  Vec3 lo = Vec3::Zero();
  Vec3 hi = Vec3::Ones();
  std::array<bool, 3> periodic{true, true, true};

  Vec3 length() const { return hi - lo; }
  real volume() const {
    const Vec3 l = length();
    return l.x() * l.y() * l.z();
  }
};

// System holds the atoms of one rank: owned atoms are [0, nlocal), ghost
// atoms (periodic images and copies of neighbouring ranks' atoms, refreshed
// every step) are [nlocal, nlocal + nghost). Only owned atoms carry valid
// velocities and image flags. Owned atoms are re-sorted by neighbour bin at
// every neighbour-list rebuild, so the order of atoms changes during a run;
// use `id` to identify them.
class System {
 public:
  Box box;
  Vec3 sublo = Vec3::Zero();  // this rank's subdomain [sublo, subhi)
  Vec3 subhi = Vec3::Ones();

  // Per-atom arrays, size >= nall(); positions in sigma, velocities sigma/tau,
  // forces epsilon/sigma.
  std::vector<real> x, y, z;
  std::vector<real> vx, vy, vz;
  std::vector<real> fx, fy, fz;
  std::vector<gid> id;
  std::vector<int> type;                    // 1-based atom type
  std::vector<std::int32_t> imx, imy, imz;  // periodic image flags (owned atoms)

  std::vector<real> mass;               // mass by type, index 0 unused
  std::vector<std::string> type_names;  // by type, index 0 unused

  index nlocal = 0;
  index nghost = 0;
  std::int64_t natoms = 0;  // global number of atoms

  std::int64_t step = 0;
  real dt = 0.005;

  index nall() const { return nlocal + nghost; }
  int ntypes() const { return static_cast<int>(mass.size()) - 1; }

  // resize() sets the size of every per-atom array (keeps contents).
  void resize(index n);
  // push_owned() appends an owned atom (before any ghost exists).
  void push_owned(gid id_, int type_, real x_, real y_, real z_, real vx_ = 0, real vy_ = 0,
                  real vz_ = 0, std::int32_t ix = 0, std::int32_t iy = 0, std::int32_t iz = 0);
};

}  // namespace weft::md
