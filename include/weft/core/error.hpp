// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

namespace weft {

// ExitCode is what the `weft` executable returns; documented in README.md.
enum class ExitCode : int {
  ok = 0,
  internal = 1,       // a bug in weft: please report
  bad_input = 2,      // deck, command line or input file rejected before any step
  run_failed = 3,     // failure during the run (numerical blow-up, I/O error)
  stopped_early = 75  // stopped by a signal with a checkpoint written (EX_TEMPFAIL)
};

// InputError is thrown for anything the user gave us that is wrong: a deck,
// a command-line option, an input file. what() is the complete message,
// already saying what is wrong, where, and how to fix it.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// RunError is thrown when a run fails after it has started (a numerical
// blow-up, an I/O failure). what() says what failed and where.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// exit_code_name() returns the short name of an exit code for messages.
const char* exit_code_name(ExitCode code) noexcept;

}  // namespace weft
