// SPDX-License-Identifier: Apache-2.0
// Shared fixture: every runtime test runs at 1, 2 and 4 workers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "weft/go/pool.hpp"

namespace weft::go::test {

// WorkersTest is parameterized by the worker count.
class WorkersTest : public ::testing::TestWithParam<int> {
 protected:
  PoolOptions options() const {
    PoolOptions o;
    o.threads = GetParam();
    return o;
  }
  // run() runs f as the root task of a fresh pool with GetParam() workers.
  void run(const std::function<void()>& f) {
    Pool pool(options());
    pool.run(f);
  }
};

inline std::string worker_name(const ::testing::TestParamInfo<int>& info) {
  return "w" + std::to_string(info.param);
}

#define WEFT_GO_INSTANTIATE(Suite)                                     \
  INSTANTIATE_TEST_SUITE_P(Workers, Suite, ::testing::Values(1, 2, 4), \
                           ::weft::go::test::worker_name)

// sanitized() tells whether this is a sanitizer build, ASan or TSan (heavy
// tests scale down).
constexpr bool sanitized() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

// scaled() returns n, divided by 10 in sanitizer builds; the environment
// variable WEFT_GO_SCALE (a float factor) overrides.
inline long scaled(long n) {
  if (const char* s = std::getenv("WEFT_GO_SCALE"))
    return static_cast<long>(static_cast<double>(n) * std::atof(s));
  return sanitized() ? n / 10 : n;
}

}  // namespace weft::go::test
