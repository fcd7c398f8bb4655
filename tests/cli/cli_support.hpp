// SPDX-License-Identifier: Apache-2.0
#pragma once

// Running the `weft` executable from tests, in a scratch directory.

#include <filesystem>
#include <string>

namespace weft::test {

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Scratch is a fresh directory removed at the end of the test.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  const std::filesystem::path& path() const { return dir_; }
  // write() creates a file (relative to the scratch dir) with `text`.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path dir_;
};

// run_in() runs a shell command line in `dir` with a 120 s limit; "weft"
// and "mpirun" at the start of words are replaced by the built binary and
// the MPI launcher (as root, with oversubscription allowed).
Result run_in(const std::filesystem::path& dir, const std::string& command);

// count() is how many times `needle` occurs in `hay`.
int count(const std::string& hay, const std::string& needle);

}  // namespace weft::test
