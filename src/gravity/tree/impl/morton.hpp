// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstdint>

#include "weft/gravity/tree.hpp"

// Morton keys of the tree: 21 bits per axis interleaved as x y z (x the
// highest bit of each triple), so a node's octant at level L is the triple
// of bits 3 (20 - L) .. 3 (20 - L) + 2.
namespace weft::gravity::impl {

inline constexpr std::uint64_t kCells = std::uint64_t{1} << kMaxTreeDepth;

// spread3() puts bit b of v (21 bits) at bit 3 b.
inline std::uint64_t spread3(std::uint64_t v) noexcept {
  v &= 0x1fffff;
  v = (v | v << 32) & 0x1f00000000ffffULL;
  v = (v | v << 16) & 0x1f0000ff0000ffULL;
  v = (v | v << 8) & 0x100f00f00f00f00fULL;
  v = (v | v << 4) & 0x10c30c30c30c30c3ULL;
  v = (v | v << 2) & 0x1249249249249249ULL;
  return v;
}

// cell() is the cell index along one axis of coordinate x in a cube of side
// `side` starting at `origin`, clamped to the cube.
inline std::uint64_t cell(double x, double origin, double scale) noexcept {
  const double c = (x - origin) * scale;
  if (!(c > 0.0)) return 0;  // also NaN
  if (c >= double(kCells - 1)) return kCells - 1;
  return static_cast<std::uint64_t>(c);
}

// morton_key() of a point; scale = 2^21 / root side.
inline std::uint64_t morton_key(double x, double y, double z, const double origin[3],
                                double scale) noexcept {
  return spread3(cell(x, origin[0], scale)) << 2 | spread3(cell(y, origin[1], scale)) << 1 |
         spread3(cell(z, origin[2], scale));
}

// octant() at level L (the children of a node at level L).
inline int octant(std::uint64_t key, int level) noexcept {
  return static_cast<int>((key >> (3 * (kMaxTreeDepth - 1 - level))) & 7);
}

}  // namespace weft::gravity::impl
