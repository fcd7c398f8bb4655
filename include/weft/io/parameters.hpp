// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "weft/h5/group.hpp"

namespace weft::io {

// RunInfo is what every output of a run says about the run that wrote it.
struct RunInfo {
  std::string deck;         // the resolved deck (TOML)
  std::string application;  // "md", ...
  std::string units;        // the application's unit system, e.g. "lj"
  std::string time_unit;    // the unit of `time` datasets, e.g. "tau"
};

// write_parameters() creates /parameters in `root`: the resolved deck
// (dataset `deck`) and the attributes `program` (weft and its version),
// `kind` (what the file is: "trajectory", "thermo", "checkpoint", "trace"),
// `application`, `units` and `time_unit` (each omitted when empty). Every weft output
// has it; tools/weft-inspect reads it. Collective when root belongs to a
// file opened in parallel.
void write_parameters(h5::Group& root, const RunInfo& run, const std::string& kind);

}  // namespace weft::io
