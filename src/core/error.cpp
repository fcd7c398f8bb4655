// SPDX-License-Identifier: Apache-2.0
#include "weft/core/error.hpp"

namespace weft {

const char* exit_code_name(ExitCode code) noexcept {
  switch (code) {
    case ExitCode::ok:
      return "ok";
    case ExitCode::internal:
      return "internal error";
    case ExitCode::bad_input:
      return "bad input";
    case ExitCode::run_failed:
      return "run failed";
    case ExitCode::stopped_early:
      return "stopped early, checkpoint written";
  }
  return "unknown";
}

}  // namespace weft
