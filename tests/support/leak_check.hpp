// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

namespace weft::test {

// live_allocations() returns how many objects allocated through the global
// operator new have not yet been deleted (counted over the whole process).
std::int64_t live_allocations() noexcept;

// LeakListener is a GoogleTest event listener that fails a test whose body
// leaves more live allocations behind than it found (marl's habit). A test
// that keeps intentional caches alive can opt out by naming itself
// *_AllowsCaches.
void install_leak_listener();

}  // namespace weft::test
