// SPDX-License-Identifier: Apache-2.0
// The explicit registries: every algorithm available by name. Adding an
// implementation means adding one line to a table here; the deck's choices
// (pair.style, integrator.style) and each style's own keys come from them.
#include <functional>
#include <map>

#include "interfaces.hpp"
#include "weft/core/error.hpp"
#include "weft/md/deck.hpp"

namespace weft::md {

// The implementations, one file each.
std::unique_ptr<Comm> make_comm_staged();
std::unique_ptr<Neighbor> make_neighbor_bin();
PairStyle pair_lj_cut();  // pair_lj_cut.cpp
PairStyle pair_morse();   // pair_morse.cpp
IntegratorStyle integrator_nve();
IntegratorStyle integrator_nose_hoover();
IntegratorStyle integrator_langevin();

namespace {

template <class T>
using Factories = std::map<std::string, std::function<std::unique_ptr<T>()>>;

const Factories<Comm>& comms() {
  static const Factories<Comm> t{{"staged", make_comm_staged}};
  return t;
}
const Factories<Neighbor>& neighbors() {
  static const Factories<Neighbor> t{{"bin", make_neighbor_bin}};
  return t;
}
const std::map<std::string, PairStyle>& pair_styles() {
  static const std::map<std::string, PairStyle> t{
      {"lj/cut", pair_lj_cut()},
      {"morse", pair_morse()},
  };
  return t;
}
const std::map<std::string, IntegratorStyle>& integrators() {
  static const std::map<std::string, IntegratorStyle> t{
      {"nve", integrator_nve()},
      {"nose-hoover", integrator_nose_hoover()},
      {"nvt", integrator_nose_hoover()},  // LAMMPS's name for it
      {"langevin", integrator_langevin()},
  };
  return t;
}

template <class Map>
const typename Map::mapped_type& find(const Map& table, const std::string& name, const char* what) {
  auto it = table.find(name);
  if (it == table.end()) {
    std::string known;
    for (const auto& [k, v] : table) known += (known.empty() ? "" : ", ") + k;
    throw InputError(std::string("unknown ") + what + " \"" + name + "\"; known: " + known);
  }
  return it->second;
}

template <class Map>
std::vector<std::string> names(const Map& table) {
  std::vector<std::string> out;
  for (const auto& [k, v] : table) out.push_back(k);
  return out;
}

}  // namespace

std::unique_ptr<Comm> make_comm(const std::string& name) { return find(comms(), name, "comm")(); }
std::unique_ptr<Neighbor> make_neighbor(const std::string& name) {
  return find(neighbors(), name, "neighbor style")();
}
const PairStyle& pair_style(const std::string& name) {
  return find(pair_styles(), name, "pair style");
}
const IntegratorStyle& integrator_style(const std::string& name) {
  return find(integrators(), name, "integrator style");
}
std::vector<std::string> pair_style_names() { return names(pair_styles()); }
std::vector<std::string> integrator_style_names() { return names(integrators()); }

}  // namespace weft::md
