// SPDX-License-Identifier: Apache-2.0
// The registry of force methods: one line per method. The tree solver
// (Barnes-Hut, weft_gravity_tree) adds {"tree", make_tree} here.
#include "direct.hpp"
#include "weft/gravity/force_solver.hpp"

namespace weft::gravity {

const std::map<std::string, SolverMaker>& force_solvers() {
  static const std::map<std::string, SolverMaker> registry{
      {"direct", make_direct},
  };
  return registry;
}

std::vector<std::string> force_solver_names() {
  std::vector<std::string> out;
  for (const auto& [name, make] : force_solvers()) out.push_back(name);
  return out;
}

}  // namespace weft::gravity
