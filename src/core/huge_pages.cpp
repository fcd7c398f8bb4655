// SPDX-License-Identifier: Apache-2.0
#include "weft/core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace weft {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

// Recycler keeps freed large blocks for the next allocations: their pages
// are mapped already, where a fresh block's pages each cost a fault and
// the kernel's zeroing (on a VM ~1 GB/s, more than most stages' work).
// An allocation takes the smallest kept block that holds it and wastes at
// most half of it; when none does, every kept block is released first,
// so the process never holds more than it held at an earlier moment.
struct Recycler {
  std::mutex mutex;
  std::multimap<std::size_t, void*> kept;          // rounded size -> block
  std::unordered_map<void*, std::size_t> size_of;  // every live block's rounded size
};

Recycler& recycler() {
  static auto* r = new Recycler;  // never destroyed: blocks may be freed after main
  return *r;
}

}  // namespace

void* huge_page_alloc(std::size_t bytes) {
  if (bytes < kHugePageMinBytes) return ::operator new(bytes);
  if (bytes > static_cast<std::size_t>(-1) - kHugePage) throw std::bad_alloc();
  const std::size_t size = rounded(bytes);
  Recycler& r = recycler();
  const std::lock_guard lock(r.mutex);
  if (const auto it = r.kept.lower_bound(size); it != r.kept.end() && it->first / 2 <= size) {
    void* p = it->second;
    r.size_of[p] = it->first;
    r.kept.erase(it);
    return p;
  }
  for (const auto& [kept_size, p] : r.kept) std::free(p);
  r.kept.clear();
  void* p = std::aligned_alloc(kHugePage, size);
  if (!p) throw std::bad_alloc();
  // Advice before the first touch, so the first faults already map 2 MiB
  // pages. Failure (no THP support) leaves ordinary pages: not an error.
  madvise(p, size, MADV_HUGEPAGE);
  r.size_of[p] = size;
  return p;
}

void huge_page_free(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugePageMinBytes) {
    ::operator delete(p);
    return;
  }
  Recycler& r = recycler();
  const std::lock_guard lock(r.mutex);
  const auto it = r.size_of.find(p);
  r.kept.emplace(it->second, p);
  r.size_of.erase(it);
}

}  // namespace weft
