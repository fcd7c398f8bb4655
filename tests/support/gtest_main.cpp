// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "leak_check.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  weft::test::install_leak_listener();
  return RUN_ALL_TESTS();
}
