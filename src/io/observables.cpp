// SPDX-License-Identifier: Apache-2.0
#include "weft/io/observables.hpp"

namespace weft::io {

const std::vector<Observable>& observables() {
  static const std::vector<Observable> list{
      {"temperature", [](const md::ThermoRow& r) { return r.temp; }},
      {"potential_energy", [](const md::ThermoRow& r) { return r.pe; }},
      {"kinetic_energy", [](const md::ThermoRow& r) { return r.ke; }},
      {"total_energy", [](const md::ThermoRow& r) { return r.etotal; }},
      {"pressure", [](const md::ThermoRow& r) { return r.press; }},
      {"volume", [](const md::ThermoRow& r) { return r.volume; }},
      {"atoms", [](const md::ThermoRow& r) { return static_cast<double>(r.atoms); }}};
  return list;
}

}  // namespace weft::io
