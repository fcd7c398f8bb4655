// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <string>
#include <vector>

#include "weft/core/types.hpp"

// The parameters of pair style lj/cut (src/md/pair_lj_cut.cpp), kept in
// PairConfig::params under "lj/cut". LAMMPS `units lj`.
namespace weft::md {

// LjCoeff sets epsilon, sigma and the cutoff of one pair of types (LAMMPS
// `pair_coeff i j epsilon sigma cutoff`).
struct LjCoeff {
  std::array<int, 2> types{1, 1};
  real epsilon = 1.0;
  real sigma = 1.0;
  real cutoff = 0.0;  // 0: the global pair.cutoff
};

struct LjCutParams {
  std::string mixing = "geometric";  // geometric | arithmetic (for pairs not given)
  bool tail = false;                 // analytic tail corrections to energy and pressure
  std::vector<LjCoeff> coeffs;       // empty: epsilon = sigma = 1 for every type
};

}  // namespace weft::md
