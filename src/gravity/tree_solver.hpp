// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "weft/gravity/force_solver.hpp"

namespace weft::gravity {

// make_tree() is the Barnes-Hut tree solver with the deck's opening
// criterion, moments and softening (tree_solver.cpp). Not collective.
std::unique_ptr<ForceSolver> make_tree(const GravityConfig& c);

}  // namespace weft::gravity
