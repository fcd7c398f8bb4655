// SPDX-License-Identifier: Apache-2.0
// The explicit registry: every algorithm available by name. Adding an
// implementation means adding one line to a table here.
#include <functional>
#include <map>

#include "interfaces.hpp"
#include "weft/core/error.hpp"

namespace weft::md {
namespace {

template <class T>
using Table = std::map<std::string, std::function<std::unique_ptr<T>()>>;

const Table<Comm>& comms() {
  static const Table<Comm> t{{"staged", make_comm_staged}};
  return t;
}
const Table<Neighbor>& neighbors() {
  static const Table<Neighbor> t{{"bin", make_neighbor_bin}};
  return t;
}
const Table<Force>& forces() {
  static const Table<Force> t{{"lj/cut", make_force_lj_cut}};
  return t;
}
const Table<Integrator>& integrators() {
  static const Table<Integrator> t{{"nve", make_integrator_nve},
                                   {"nose-hoover", make_integrator_nose_hoover},
                                   {"nvt", make_integrator_nose_hoover},
                                   {"langevin", make_integrator_langevin}};
  return t;
}

template <class T>
std::unique_ptr<T> make(const Table<T>& table, const std::string& name, const char* what) {
  auto it = table.find(name);
  if (it == table.end()) {
    std::string known;
    for (const auto& [k, v] : table) known += (known.empty() ? "" : ", ") + k;
    throw InputError(std::string("unknown ") + what + " \"" + name + "\"; known: " + known);
  }
  return it->second();
}

template <class T>
std::vector<std::string> names(const Table<T>& table) {
  std::vector<std::string> out;
  for (const auto& [k, v] : table) out.push_back(k);
  return out;
}

}  // namespace

std::unique_ptr<Comm> make_comm(const std::string& name) { return make(comms(), name, "comm"); }
std::unique_ptr<Neighbor> make_neighbor(const std::string& name) {
  return make(neighbors(), name, "neighbor style");
}
std::unique_ptr<Force> make_force(const std::string& name) {
  return make(forces(), name, "pair style");
}
std::unique_ptr<Integrator> make_integrator(const std::string& name) {
  return make(integrators(), name, "integrator style");
}
std::vector<std::string> integrator_names() { return names(integrators()); }
std::vector<std::string> force_names() { return names(forces()); }

}  // namespace weft::md
