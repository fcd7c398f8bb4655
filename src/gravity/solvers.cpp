// SPDX-License-Identifier: Apache-2.0
// The registry of force methods: one line per method.
#include "direct.hpp"
#include "tree_solver.hpp"
#include "weft/gravity/force_solver.hpp"

namespace weft::gravity {

const std::map<std::string, SolverMaker>& force_solvers() {
  static const std::map<std::string, SolverMaker> registry{
      {"direct", make_direct},
      {"tree", make_tree},
  };
  return registry;
}

std::vector<std::string> force_solver_names() {
  std::vector<std::string> out;
  for (const auto& [name, make] : force_solvers()) out.push_back(name);
  return out;
}

}  // namespace weft::gravity
