// SPDX-License-Identifier: Apache-2.0
#include "rng.hpp"

namespace weft::events_gen {

Zipf::Zipf(std::uint64_t n, double s) : prob_(n), alias_(n) {
  double total = 0.0;
  for (std::uint64_t r = 0; r < n; ++r)
    total += prob_[r] = std::pow(static_cast<double>(r + 1), -s);
  std::vector<std::uint64_t> small, large;
  for (std::uint64_t r = 0; r < n; ++r) {
    prob_[r] *= static_cast<double>(n) / total;
    (prob_[r] < 1.0 ? small : large).push_back(r);
    alias_[r] = r;
  }
  while (!small.empty() && !large.empty()) {
    std::uint64_t s_idx = small.back(), l_idx = large.back();
    small.pop_back();
    alias_[s_idx] = l_idx;
    prob_[l_idx] -= 1.0 - prob_[s_idx];
    if (prob_[l_idx] < 1.0) {
      large.pop_back();
      small.push_back(l_idx);
    }
  }
  for (std::uint64_t r : small) prob_[r] = 1.0;  // rounding leftovers
  for (std::uint64_t r : large) prob_[r] = 1.0;
}

}  // namespace weft::events_gen
