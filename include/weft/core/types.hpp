// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace weft {

// real is the floating-point type of every physical quantity in weft.
using real = double;

// index is the type of particle counts and offsets within one rank.
using index = std::int64_t;

// gid is a global particle id; LAMMPS-compatible ids start at 1.
using gid = std::int64_t;

}  // namespace weft
