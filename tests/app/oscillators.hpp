// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/app/kind.hpp"

namespace weft::seam_test {

// oscillators_kind() is a test-only application (oscillators.cpp).
const app::ApplicationKind& oscillators_kind();

}  // namespace weft::seam_test
