// SPDX-License-Identifier: Apache-2.0
#include "weft/io/parameters.hpp"

#include "weft/core/environment.hpp"

namespace weft::io {

void write_parameters(h5::Group& root, const std::string& deck, const std::string& kind) {
  auto params = root.create_group("parameters");
  params.write_string("deck", deck);
  params.set_attribute("program", "weft " + versions().weft);
  params.set_attribute("kind", kind);
  params.set_attribute("units", "lj");
}

}  // namespace weft::io
