// SPDX-License-Identifier: Apache-2.0
// The registry of applications. Adding an application means adding one line
// here (and linking its library in src/cli/CMakeLists.txt).
#include "applications.hpp"

#include "weft/events/application.hpp"
#include "weft/gravity/application.hpp"
#include "weft/md/application.hpp"

namespace weft::cli {

const app::Registry& applications() {
  static const app::Registry registry{
      {"events", &events::application_kind()},
      {"gravity", &gravity::application_kind()},
      {"md", &md::application_kind()},
  };
  return registry;
}

}  // namespace weft::cli
