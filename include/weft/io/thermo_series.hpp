// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "weft/md/simulation.hpp"

namespace weft::io {

// ThermoSeries keeps every thermo row of a run and stores them in an HDF5
// file (H5MD-style /observables/<name>/{step,time,value}, plus the resolved
// deck in /parameters). The file is replaced atomically (written under a
// temporary name, then renamed), at most once per `min_interval` while the
// run goes on and always by flush(), so it is complete at every moment.
// Rank 0 only (the series is small).
class ThermoSeries {
 public:
  ThermoSeries(std::string path, std::string deck, double min_interval_s = 2.0);
  // add() records a row and rewrites the file if min_interval has passed.
  void add(const md::ThermoRow& row);
  // flush() rewrites the file now.
  void flush();
  const std::vector<md::ThermoRow>& rows() const { return rows_; }

 private:
  std::string path_, deck_;
  double min_interval_s_;
  std::vector<md::ThermoRow> rows_;
  std::chrono::steady_clock::time_point last_write_{};
  bool dirty_ = false;
};

}  // namespace weft::io
