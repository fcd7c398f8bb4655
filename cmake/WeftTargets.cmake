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

# WEFT_SANITIZER is WEFT_SANITIZE normalized: "address", "thread" or "".
string(TOLOWER "${WEFT_SANITIZE}" _weft_sanitize)
if(_weft_sanitize MATCHES "^(address|on|yes|true|y|1)$")
  set(WEFT_SANITIZER address)
elseif(_weft_sanitize STREQUAL "thread")
  set(WEFT_SANITIZER thread)
elseif(_weft_sanitize MATCHES "^(off|no|false|n|0|)$")
  set(WEFT_SANITIZER "")
else()
  message(FATAL_ERROR "WEFT_SANITIZE=${WEFT_SANITIZE}: use OFF, address (or ON) or thread")
endif()

add_library(weft_sanitizers INTERFACE)
if(WEFT_SANITIZER STREQUAL "address")
  target_compile_options(weft_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(weft_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(WEFT_SANITIZER STREQUAL "thread")
  # The scheduler tells TSan about every fiber switch (src/go/scheduler.cpp,
  # under __SANITIZE_THREAD__).
  target_compile_options(weft_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(weft_sanitizers INTERFACE -fsanitize=thread)
endif()

add_library(weft_arch INTERFACE)
if(WEFT_NATIVE)
  target_compile_options(weft_arch INTERFACE -march=native)
endif()
