# SPDX-License-Identifier: Apache-2.0
# INTERFACE targets that carry flags; the library targets stay clean and
# tests/executables opt in by linking them.
add_library(weft_warnings INTERFACE)
target_compile_options(weft_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wformat=2)
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
