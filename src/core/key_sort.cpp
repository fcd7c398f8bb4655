// SPDX-License-Identifier: Apache-2.0
// Stable radix sort of indices by 64-bit keys.
#include "weft/core/key_sort.hpp"

#include <array>
#include <cstddef>

namespace weft {

namespace {

// Entry is a key with its position in the input order.
struct Entry {
  std::uint64_t key;
  std::uint64_t at;
};

template <class Index>
void sort_impl(std::span<const std::uint64_t> keys, std::vector<Index>& order,
               std::vector<std::uint64_t>* sorted) {
  const std::size_t n = order.size();
  std::vector<Entry> a(n), b(n);
  // One pass counts every byte's digits.
  std::vector<std::array<std::size_t, 256>> count(8);
  for (auto& c : count) c.fill(0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = keys[static_cast<std::size_t>(order[i])];
    a[i] = Entry{k, i};
    for (int d = 0; d < 8; ++d) ++count[static_cast<std::size_t>(d)][(k >> (8 * d)) & 0xff];
  }
  for (int d = 0; d < 8; ++d) {
    auto& c = count[static_cast<std::size_t>(d)];
    // A byte every key shares leaves the order as it is.
    bool one = false;
    for (const std::size_t v : c) {
      if (v == n) one = true;
    }
    if (one || n < 2) continue;
    std::size_t sum = 0;
    for (std::size_t& v : c) {
      const std::size_t here = v;
      v = sum;
      sum += here;
    }
    const int shift = 8 * d;
    for (const Entry& e : a) b[c[(e.key >> shift) & 0xff]++] = e;
    a.swap(b);
  }
  std::vector<Index> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = order[static_cast<std::size_t>(a[i].at)];
  order.swap(out);
  if (sorted) {
    sorted->resize(n);
    for (std::size_t i = 0; i < n; ++i) (*sorted)[i] = a[i].key;
  }
}

}  // namespace

void sort_indices_by_key(std::span<const std::uint64_t> keys, std::vector<std::int64_t>& order,
                         std::vector<std::uint64_t>* sorted) {
  sort_impl(keys, order, sorted);
}

void sort_indices_by_key(std::span<const std::uint64_t> keys, std::vector<std::size_t>& order,
                         std::vector<std::uint64_t>* sorted) {
  sort_impl(keys, order, sorted);
}

}  // namespace weft
