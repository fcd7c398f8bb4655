// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "weft/core/mix64.hpp"

namespace weft::gravity {

// ParticleRandom is the random stream of one particle: splitmix64 started
// from (seed, global index), so a particle's initial state is a function of
// the seed and its index alone, the same whichever rank generates it.
class ParticleRandom {
 public:
  ParticleRandom(std::uint64_t seed, std::uint64_t index)
      : state_(mix(seed * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL) ^ mix(index + 1)) {}
  // uniform() is in (0, 1): 53 random bits, never exactly 0 or 1.
  double uniform() {
    state_ += 0x9e3779b97f4a7c15ULL;
    const std::uint64_t bits = mix(state_) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
  }

 private:
  static std::uint64_t mix(std::uint64_t z) { return weft::mix64(z); }
  std::uint64_t state_;
};

}  // namespace weft::gravity
