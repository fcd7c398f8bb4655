// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "weft/h5/group.hpp"

namespace weft::io {

// write_parameters() creates /parameters in `root`: the resolved deck
// (`deck`), and the attributes `program` (weft and its version), `kind`
// (what the file is: "trajectory", "thermo", "checkpoint", "trace") and
// `units` ("lj"). Every weft output has it; tools/weft-inspect reads it.
// Collective when root belongs to a file opened in parallel.
void write_parameters(h5::Group& root, const std::string& deck, const std::string& kind);

}  // namespace weft::io
