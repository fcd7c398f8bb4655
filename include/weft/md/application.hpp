// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/app/kind.hpp"

namespace weft::md {

// application_kind() is molecular dynamics as an application of the shared
// run loop: its deck part (md::schema()), input checks (md::validate()),
// observables (the LAMMPS thermo quantities), H5MD trajectory, checkpoint
// contents and report. The CLI's registry lists it as "md".
const app::ApplicationKind& application_kind();

}  // namespace weft::md
