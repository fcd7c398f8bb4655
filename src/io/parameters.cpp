// SPDX-License-Identifier: Apache-2.0
#include "weft/io/parameters.hpp"

#include "weft/core/environment.hpp"

namespace weft::io {

void write_parameters(h5::Group& root, const RunInfo& run, const std::string& kind) {
  auto params = root.create_group("parameters");
  params.write_string("deck", run.deck);
  params.set_attribute("program", "weft " + versions().weft);
  params.set_attribute("kind", kind);
  if (!run.units.empty()) params.set_attribute("units", run.units);
  if (!run.time_unit.empty()) params.set_attribute("time_unit", run.time_unit);
  if (!run.application.empty()) params.set_attribute("application", run.application);
}

}  // namespace weft::io
