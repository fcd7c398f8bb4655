// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace weft {

// sort_indices_by_key() reorders `order` (indices into `keys`) so that
// keys[order[i]] does not decrease, keeping the given order of equal keys
// (a stable sort): the same result as
//
//   std::stable_sort(order.begin(), order.end(),
//                    [&](auto a, auto b) { return keys[a] < keys[b]; });
//
// in O(n) per byte of key that differs between entries (a least-significant-
// digit radix sort over bytes; a byte every key shares costs nothing).
// sorted, if not null, receives keys[order[i]] in the new order. Serial and
// deterministic. For space-filling-curve keys of particles and events.
void sort_indices_by_key(std::span<const std::uint64_t> keys, std::vector<std::int64_t>& order,
                         std::vector<std::uint64_t>* sorted = nullptr);
void sort_indices_by_key(std::span<const std::uint64_t> keys, std::vector<std::size_t>& order,
                         std::vector<std::uint64_t>* sorted = nullptr);

}  // namespace weft
