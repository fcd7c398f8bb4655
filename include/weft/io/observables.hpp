// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "weft/md/simulation.hpp"

namespace weft::io {

// Observable is one thermo quantity as stored in HDF5 /observables.
struct Observable {
  std::string_view name;  // H5MD-style name, e.g. "total_energy"
  double (*get)(const md::ThermoRow&);
};

// observables() lists the thermo quantities every output stores, in order.
const std::vector<Observable>& observables();

}  // namespace weft::io
