// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/app/kind.hpp"

namespace weft::cli {

// applications() is the registry of every application this weft runs, by
// the name a deck's `application` key gives: the only list of their names.
const app::Registry& applications();

}  // namespace weft::cli
