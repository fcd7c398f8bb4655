// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the outputs rank 0 writes alone (deck, thermo table and series,
// checkpoint rotation). Failures are kept as messages, not thrown, so the
// driver can agree on them with the other ranks at the next step.

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "weft/io/thermo_series.hpp"
#include "weft/md/simulation.hpp"

namespace weft::app {

class RankZeroOutputs {
 public:
  // On ranks other than 0 (active = false) every member does nothing.
  RankZeroOutputs(std::string dir, std::string deck_path, std::string deck, bool active);

  // open() creates the directory, deck.toml, thermo.dat and thermo.h5,
  // starting from `restored` thermo rows when continuing a run. Returns ""
  // or what went wrong.
  std::string open(const std::vector<md::ThermoRow>* restored);
  // thermo() records one thermo row in thermo.dat and thermo.h5.
  void thermo(const md::ThermoRow& row);
  // checkpoint_written() notes a new checkpoint and deletes the oldest ones
  // beyond `keep`.
  void checkpoint_written(const std::string& path, int keep);
  // close() writes thermo.h5 a last time; returns "" or what went wrong.
  std::string close();

  const std::vector<md::ThermoRow>& rows() const;
  const std::string& error() const { return error_; }
  std::string newest_checkpoint() const { return checkpoints_.empty() ? "" : checkpoints_.back(); }

 private:
  void write_row(const md::ThermoRow& row);

  std::string dir_, deck_path_, deck_;
  bool active_;
  std::ofstream text_;
  std::unique_ptr<io::ThermoSeries> series_;
  std::vector<std::string> checkpoints_;  // oldest first
  std::string error_;
  std::vector<md::ThermoRow> none_;
};

}  // namespace weft::app
