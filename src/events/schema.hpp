// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/deck/schema.hpp"
#include "weft/events/config.hpp"

namespace weft::events {

// schema() is the events application's deck part (docs/deck.md).
const deck::Schema<Config>& schema();

}  // namespace weft::events
