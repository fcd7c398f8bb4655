// SPDX-License-Identifier: Apache-2.0
#include "weft/core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace weft {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* huge_page_alloc(std::size_t bytes) {
  if (bytes < kHugePageMinBytes) return ::operator new(bytes);
  if (bytes > static_cast<std::size_t>(-1) - kHugePage) throw std::bad_alloc();
  void* p = std::aligned_alloc(kHugePage, rounded(bytes));
  if (!p) throw std::bad_alloc();
  // Advice before the first touch, so the first faults already map 2 MiB
  // pages. Failure (no THP support) leaves ordinary pages: not an error.
  madvise(p, rounded(bytes), MADV_HUGEPAGE);
  return p;
}

void huge_page_free(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugePageMinBytes) {
    ::operator delete(p);
    return;
  }
  std::free(p);
}

}  // namespace weft
