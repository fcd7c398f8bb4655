// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "weft/core/types.hpp"

// The parameters of the thermostatted integrator styles, kept in
// IntegratorConfig::params under the style's name. LAMMPS `units lj`.
namespace weft::md {

// NoseHooverParams: LAMMPS `fix nvt temp T T damping`, with a chain.
struct NoseHooverParams {
  real temperature = 1.0;  // target, epsilon/k_B
  real damping = 0.5;      // relaxation time, tau
  int chain = 3;           // chain length
};

// LangevinParams: LAMMPS `fix langevin T T damping seed` with `fix nve`.
struct LangevinParams {
  real temperature = 1.0;      // target, epsilon/k_B
  real damping = 0.5;          // damping time, tau
  std::uint64_t seed = 12345;  // random stream
};

}  // namespace weft::md
