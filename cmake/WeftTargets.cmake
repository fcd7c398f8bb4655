# SPDX-License-Identifier: Apache-2.0
# INTERFACE targets that carry flags; the library targets stay clean and
# tests/executables opt in by linking them.
add_library(weft_warnings INTERFACE)
target_compile_options(weft_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wformat=2
  # GCC 12 reports impossible overlaps in inlined std::string concatenation
  # (GCC bug 105329 and relatives): false positives under -O2/-O3.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
if(WEFT_WERROR)
  target_compile_options(weft_warnings INTERFACE -Werror)
endif()

add_library(weft_sanitizers INTERFACE)
if(WEFT_SANITIZE)
  target_compile_options(weft_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(weft_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(weft_arch INTERFACE)
if(WEFT_NATIVE)
  target_compile_options(weft_arch INTERFACE -march=native)
endif()
