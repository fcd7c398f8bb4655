// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "weft/md/system.hpp"

namespace weft::md {

// Snapshot is one rank's share of everything needed to continue a run
// exactly: what a checkpoint stores. Owned atoms are in the engine's own
// order; `xhold/yhold/zhold` are their positions at the last neighbor-list
// build, so a restart on the same layout rebuilds the very same ghost and
// neighbor lists and continues bit-identically. On another layout the atoms
// are redistributed and the run continues to rounding.
struct Snapshot {
  std::vector<gid> id;
  std::vector<int> type;
  std::vector<real> x, y, z, vx, vy, vz;
  std::vector<std::int32_t> imx, imy, imz;
  std::vector<real> xhold, yhold, zhold;

  std::int64_t step = 0;         // the last completed step
  std::int64_t ago = 0;          // steps since the last neighbor build
  std::int64_t builds = 0;       // neighbor builds so far (for the report)
  std::int64_t dangerous = 0;    // dangerous builds so far
  std::vector<real> integrator;  // thermostat state (Nose-Hoover chain, ...)
  Box box;
  std::vector<real> mass;            // by type, index 0 unused
  std::int64_t natoms = 0;           // global atom count
  bool exact = false;                // these are exactly this rank's atoms of the same layout
  std::array<int, 3> grid{1, 1, 1};  // process grid that wrote it
};

}  // namespace weft::md
