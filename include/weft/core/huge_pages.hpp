// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace weft {

// huge_page_alloc() returns `bytes` of uninitialized memory. Blocks of at
// least kHugePageMinBytes are aligned to 2 MiB and advised for transparent
// huge pages (madvise MADV_HUGEPAGE; a hint the kernel may ignore), so that
// random access over tens of MB does not miss the TLB on every touch.
// Smaller blocks come from operator new. Free with huge_page_free(p, bytes):
// a freed large block is kept for the next one it fits (at most half of it
// unused; its pages are mapped already, no fault or zeroing by the
// kernel), and every kept block is released when a request fits none.
// Thread-safe.
void* huge_page_alloc(std::size_t bytes);
void huge_page_free(void* p, std::size_t bytes) noexcept;

inline constexpr std::size_t kHugePageMinBytes = std::size_t{4} << 20;

// HugePageAllocator is a std::allocator for large, randomly accessed arrays
// (for instance the id-ordered frame buffers of io::IdOrder).
//
//   weft::HugePageVector<double> x(3 * n);  // 2 MiB pages when n is large
template <class T>
struct HugePageAllocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
                "blocks below 4 MiB come from operator new");
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(huge_page_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { huge_page_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace weft
