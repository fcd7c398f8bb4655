// SPDX-License-Identifier: Apache-2.0
#include "pair_kernel.hpp"

#include <cstdlib>
#include <cstring>

namespace weft::md::pair_detail {

bool use_avx2() {
#ifdef WEFT_MD_AVX2
  static const bool generic = [] {
    const char* k = std::getenv("WEFT_MD_KERNEL");
    return k != nullptr && std::strcmp(k, "generic") == 0;
  }();
  return !generic;
#else
  return false;
#endif
}

}  // namespace weft::md::pair_detail
