// SPDX-License-Identifier: Apache-2.0
#include "weft/core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace weft {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

// map_fresh() maps `size` bytes (a multiple of 2 MiB) of anonymous memory
// at a 2 MiB boundary, advised for huge pages before the first touch, so
// the first faults already map 2 MiB pages (no THP support: ordinary pages,
// not an error). Nothing is touched: the kernel backs pages as they are.
char* map_fresh(std::size_t size) {
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto at = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t start = (at + kHugePage - 1) / kHugePage * kHugePage;
  if (start > at) munmap(raw, start - at);
  if (const std::size_t tail = at + size + kHugePage - (start + size); tail > 0)
    munmap(reinterpret_cast<void*>(start + size), tail);
  auto* p = reinterpret_cast<char*>(start);
  madvise(p, size, MADV_HUGEPAGE);
  return p;
}

// Recycler keeps the pages of freed large blocks for later allocations:
// their pages are mapped already, where a fresh block's pages each cost a
// fault and the kernel's zeroing (on a VM 0.3–0.6 GB/s, more than most
// stages' work). Kept memory is ranges of 2 MiB multiples:
// - an allocation takes the smallest kept range that holds it, and what it
//   does not use stays kept;
// - when none holds it, the kept ranges' pages are moved (mremap: page
//   tables only, no copy) into one new mapping, largest first, and only the
//   rest of it is fresh.
// So the process never holds more than the most its blocks held at once
// (live + kept never grows past an earlier peak of live blocks).
struct Recycler {
  std::mutex mutex;
  std::multimap<std::size_t, char*> kept;          // size -> start of a kept range
  std::unordered_map<void*, std::size_t> size_of;  // every live block's rounded size
  std::size_t kept_bytes = 0;

  void keep(char* p, std::size_t size) {
    kept.emplace(size, p);
    kept_bytes += size;
  }

  char* take(std::multimap<std::size_t, char*>::iterator it, std::size_t size) {
    char* p = it->second;
    const std::size_t have = it->first;
    kept.erase(it);
    kept_bytes -= have;
    if (have > size) keep(p + size, have - size);
    return p;
  }

  char* allocate(std::size_t size) {
    if (const auto it = kept.lower_bound(size); it != kept.end()) return take(it, size);
    char* p = map_fresh(size);
    std::size_t filled = 0;
    while (filled < size && !kept.empty()) {
      const auto largest = std::prev(kept.end());
      const std::size_t use = std::min(largest->first, size - filled);
      char* from = largest->second;
      if (mremap(from, use, use, MREMAP_MAYMOVE | MREMAP_FIXED, p + filled) == MAP_FAILED)
        break;  // (too many mappings) the rest of p stays fresh: still correct
      const std::size_t have = largest->first;
      kept.erase(largest);
      kept_bytes -= have;
      if (have > use) keep(from + use, have - use);
      filled += use;
    }
    return p;
  }
};

Recycler& recycler() {
  static auto* r = new Recycler;  // never destroyed: blocks may be freed after main
  return *r;
}

}  // namespace

void* huge_page_alloc(std::size_t bytes) {
  if (bytes < kHugePageMinBytes) return ::operator new(bytes);
  if (bytes > static_cast<std::size_t>(-1) - 2 * kHugePage) throw std::bad_alloc();
  const std::size_t size = rounded(bytes);
  Recycler& r = recycler();
  const std::lock_guard lock(r.mutex);
  char* p = r.allocate(size);
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
  r.keep(static_cast<char*>(p), it->second);
  r.size_of.erase(it);
}

std::size_t huge_page_kept_bytes() {
  Recycler& r = recycler();
  const std::lock_guard lock(r.mutex);
  return r.kept_bytes;
}

}  // namespace weft
