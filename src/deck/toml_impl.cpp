// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles toml++'s implementation
// (TOML_HEADER_ONLY=0 everywhere else keeps the other units fast).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
