// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "weft/gravity/force_solver.hpp"

namespace weft::gravity {

// make_direct() is the direct-summation solver with the deck's softening
// (direct.cpp): exact, O(N^2), the same bits on any number of ranks and
// threads. Not collective.
std::unique_ptr<ForceSolver> make_direct(const GravityConfig& c);

}  // namespace weft::gravity
