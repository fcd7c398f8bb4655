// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the deck schema is declared in parts, one per layer.

#include "weft/app/config.hpp"

namespace weft::app {

void declare_runtime(deck::Schema<Config>& s);  // schema.cpp
void declare_output(deck::Schema<Config>& s);   // schema.cpp

}  // namespace weft::app
