// SPDX-License-Identifier: Apache-2.0
// Counter-based random numbers for tools/make-events: every row draws from
// its own stream, a pure function of (seed, row, purpose), so any chunk of
// rows is generated alone and the bytes do not depend on the parallelism.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace weft::events_gen {

// mix64 is splitmix64's finalizer: a bijection of 64-bit words that
// spreads every input bit over the output.
inline constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// hash3 is a 64-bit hash of (seed, a, b), used to derive independent streams.
inline constexpr std::uint64_t hash3(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  return mix64(mix64(seed ^ mix64(a + 0x9e3779b97f4a7c15ULL)) ^ (b * 0xd1b54a32d192ed03ULL));
}

// unit maps a 64-bit word to a double in [0, 1) (53 bits).
inline double unit(std::uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

// Stream is a splitmix64 sequence started at hash3(seed, row, purpose).
class Stream {
 public:
  Stream(std::uint64_t seed, std::uint64_t row, std::uint64_t purpose)
      : state_(hash3(seed, row, purpose)) {}
  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  double uniform() { return unit(next()); }
  // below(n) is uniform in [0, n) (n > 0; the modulo bias is below 2^-40 for n < 2^24).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // normal() is a standard normal deviate (Box-Muller, one of the pair).
  double normal() {
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

// Zipf draws ranks 0..n-1 with P(rank r) proportional to 1/(r+1)^s, in O(1)
// per draw (Walker's alias table, built once in O(n)).
class Zipf {
 public:
  Zipf(std::uint64_t n, double s);
  std::uint64_t draw(Stream& rng) const {
    std::uint64_t col = rng.below(prob_.size());
    return rng.uniform() < prob_[col] ? col : alias_[col];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint64_t> alias_;
};

}  // namespace weft::events_gen
