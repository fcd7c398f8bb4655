// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/io/particles.hpp"
#include "weft/md/system.hpp"

namespace weft::md {

// particle_view() is this rank's owned atoms of `s` as io's parallel writers
// read them (pointers into `s`: valid while `s` is not changed).
io::ParticleView particle_view(const System& s);

}  // namespace weft::md
