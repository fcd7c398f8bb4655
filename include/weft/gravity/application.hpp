// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/app/kind.hpp"

namespace weft::gravity {

// application_kind() is gravitational N-body as an application of the
// shared run loop: its deck part (gravity::schema()), initial conditions,
// force solvers (solvers.hpp), leapfrog integration, observables, Gadget
// HDF5 snapshots, checkpoint contents and report. The CLI's registry lists
// it as "gravity".
const app::ApplicationKind& application_kind();

}  // namespace weft::gravity
