// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "weft/md/config.hpp"

// What one rank of an MD run holds and needs, estimated from the deck
// before anything is created: the memory check of `weft run` and the
// limits of the index types.
namespace weft::md {

// kMaxAtomsPerRank is the most atoms (owned and ghosts) one rank may hold:
// neighbour indices, bins and message counts are 32-bit (with room for the
// fields of an atom in one message).
inline constexpr std::int64_t kMaxAtomsPerRank = std::int64_t{1} << 28;

// Footprint is one rank's share of a run, the largest rank's.
struct Footprint {
  std::int64_t natoms = 0;  // atoms of the whole system
  double owned = 0;         // atoms a rank owns (the largest share)
  double ghosts = 0;        // ghost atoms of that rank
  double neighbors = 0;     // neighbour-list entries per owned atom (half list)
  double bins = 0;          // neighbour bins of the rank
  std::uint64_t bytes = 0;  // memory the rank needs (the application's part)
  std::string what;         // the numbers behind `bytes`, for messages
};

// footprint() estimates a run of `c` on `ranks` ranks with `threads` worker
// threads each. Reads only the header of a data file. InputError when the
// system cannot be numbered at all (more atoms than 64-bit ids hold), or
// for a data file whose header is wrong. Not collective.
Footprint footprint(const Config& c, int ranks, int threads);

}  // namespace weft::md
