// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "weft/io/parameters.hpp"

namespace weft::io {

// SeriesRow is one observation of an application's named scalars: the step,
// the time and one value per series name.
struct SeriesRow {
  std::int64_t step = 0;
  double time = 0;
  std::vector<double> values;
};

// SeriesFile keeps every row of a run's observables and stores them in an
// HDF5 file, H5MD style: /observables/<name>/{step, time, value} for each
// name (the first series holds step and time, the others link to them),
// plus /parameters. The file is replaced atomically (written under a
// temporary name, then renamed), at most once per `min_interval_s` while
// the run goes on and always by flush(), so it is complete at every moment.
// Rank 0 only (the series is small). MD's thermo.h5 is one.
//
//   io::SeriesFile f("out/thermo.h5", run, {"temperature", "pressure"});
//   f.add({.step = 0, .time = 0.0, .values = {1.44, -5.02}});
//   f.flush();
class SeriesFile {
 public:
  SeriesFile(std::string path, RunInfo run, std::vector<std::string> names,
             double min_interval_s = 2.0);
  // add() records a row (values in the order of the names) and rewrites
  // the file if min_interval_s has passed since the last write.
  void add(SeriesRow row);
  // flush() rewrites the file now if a row was added since the last write.
  void flush();
  const std::vector<SeriesRow>& rows() const { return rows_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::string path_;
  RunInfo run_;
  std::vector<std::string> names_;
  double min_interval_s_;
  std::vector<SeriesRow> rows_;
  std::chrono::steady_clock::time_point last_write_{};
  bool dirty_ = false;
};

}  // namespace weft::io
