// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/deck/schema.hpp"
#include "weft/gravity/config.hpp"

namespace weft::gravity {

// schema() is the gravity part of a deck: [gravity], [timestep], [initial]
// and output.snapshot_every, with their ranges and cross-key rules (every
// key of Config, each with its own path). Not collective.
const deck::Schema<Config>& schema();

}  // namespace weft::gravity
