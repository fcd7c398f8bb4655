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
// a freed large block's pages are kept for later blocks (mapped already: no
// fault or zeroing by the kernel). A block takes the smallest kept range
// that holds it, or else the kept pages moved into its mapping (mremap) and
// fresh pages for the rest, so the process never holds more than its large
// blocks held at an earlier moment. Thread-safe.
void* huge_page_alloc(std::size_t bytes);
void huge_page_free(void* p, std::size_t bytes) noexcept;

// huge_page_kept_bytes() is how much freed memory is kept for later blocks.
std::size_t huge_page_kept_bytes();

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
