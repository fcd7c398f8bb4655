// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "weft/deck/schema.hpp"
#include "weft/md/config.hpp"

// The deck keys of the molecular-dynamics application.
namespace weft::md {

// schema() declares every key of md::Config with its own paths ("pair.style",
// "lattice.cells", ...): the MD part of a deck. The pair and integrator
// styles come from the registries (src/md/registry.cpp), each declaring its
// own keys for when it is chosen.
const deck::Schema<Config>& schema();

// pair_style_names() and integrator_style_names() are the names in the
// registries, sorted: exactly the choices of pair.style and integrator.style.
std::vector<std::string> pair_style_names();
std::vector<std::string> integrator_style_names();

}  // namespace weft::md
