// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <vector>

#include "weft/core/types.hpp"

// The parameters of pair style morse (src/md/pair_morse.cpp), kept in
// PairConfig::params under "morse". LAMMPS `units lj`.
namespace weft::md {

// MorseCoeff is LAMMPS `pair_coeff i j D0 alpha r0 cutoff`:
// E = D0 [exp(-2 alpha (r - r0)) - 2 exp(-alpha (r - r0))] for r < cutoff.
struct MorseCoeff {
  std::array<int, 2> types{1, 1};
  real d0 = 1.0;      // well depth, epsilon
  real alpha = 1.0;   // stiffness, 1/sigma
  real r0 = 1.0;      // equilibrium distance, sigma
  real cutoff = 0.0;  // 0: the global pair.cutoff
};

// MorseParams: like LAMMPS, no mixing: every pair of types is given.
struct MorseParams {
  std::vector<MorseCoeff> coeffs;
};

}  // namespace weft::md
