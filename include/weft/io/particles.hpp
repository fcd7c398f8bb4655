// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/types.hpp"

namespace weft::io {

// ParticleBox is an orthogonal box [lo, hi) with periodicity per axis, in
// the application's length unit.
struct ParticleBox {
  std::array<double, 3> lo{0, 0, 0};
  std::array<double, 3> hi{1, 1, 1};
  std::array<bool, 3> periodic{true, true, true};
};

// ParticleView is one rank's particles as the parallel writers read them
// (IdOrder, TrajectoryWriter): structure-of-arrays pointers owned by the
// application, valid while the writer runs. `id` is required; a field an
// output does not need may be null. Applications adapt their own state to
// it (md::particle_view() for MD).
struct ParticleView {
  std::int64_t count = 0;             // particles on this rank
  std::int64_t total = 0;             // particles on all ranks
  const gid* id = nullptr;            // unique over all ranks, any order
  const int* type = nullptr;          // 1-based species
  const real* x = nullptr;            // positions (may be outside the box:
  const real* y = nullptr;            //   wrapped by the writers with the
  const real* z = nullptr;            //   image flags)
  const std::int32_t* imx = nullptr;  // periodic image flags
  const std::int32_t* imy = nullptr;
  const std::int32_t* imz = nullptr;
  const real* vx = nullptr;  // velocities
  const real* vy = nullptr;
  const real* vz = nullptr;
  const real* fx = nullptr;  // forces
  const real* fy = nullptr;
  const real* fz = nullptr;
  ParticleBox box;
  std::vector<std::string> type_names;  // by type, 1-based (index 0 unused)
};

}  // namespace weft::io
