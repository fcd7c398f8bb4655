// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace weft {

// mix64() is splitmix64's output finaliser (Stafford's variant 13): a
// bijection of 64-bit words whose every output bit depends on every input
// bit. The one definition behind counter-based random numbers (md, gravity)
// and hash partitioning (events).
//
//   const std::uint64_t h = weft::mix64(id + 0x9e3779b97f4a7c15ULL);
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace weft
