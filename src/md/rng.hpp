// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "weft/core/mix64.hpp"

// Counter-based random numbers: every value is a pure function of
// (seed, atom id, stream, counter), so results do not depend on how atoms are
// distributed over ranks and threads, and there is no generator state to
// checkpoint beyond the seed and the step.
namespace weft::md::detail {

using weft::mix64;

inline std::uint64_t hash4(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
  h = mix64(h ^ (a + 0x9e3779b97f4a7c15ULL));
  h = mix64(h ^ (b + 0x632be59bd9b4e019ULL));
  h = mix64(h ^ (c + 0x85157af5ULL));
  return h;
}

// uniform01() is in (0, 1): 53 random bits, never exactly 0.
inline double uniform01(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t bits = hash4(seed, a, b, c) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}

// gaussian() is a standard normal deviate (Box-Muller on two uniforms).
inline double gaussian(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  const double u1 = uniform01(seed, a, b, 0);
  const double u2 = uniform01(seed, a, b, 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace weft::md::detail
