// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: the outputs rank 0 writes alone (deck, observables table and
// series, checkpoint rotation). Failures are kept as messages, not thrown,
// so the run loop can agree on them with the other ranks at the next step.

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "weft/app/application.hpp"
#include "weft/io/series.hpp"
#include "weft/io/space.hpp"

namespace weft::app {

// Table formats observation rows as the columns of thermo.dat and of the
// screen (LAMMPS-like widths): `columns` in order, "step", "time" or a
// series name (headed by its label, else its name).
class Table {
 public:
  Table(const std::vector<Series>& series, const std::vector<std::string>& columns);
  std::string header() const;
  std::string row(const io::SeriesRow& r) const;

 private:
  static constexpr int kStep = -2, kTime = -1;
  std::vector<int> shown_;  // kStep, kTime or a series index
  std::vector<std::string> labels_;
};

// checkpoints_in() lists the checkpoints of directory `dir`, oldest first
// (ckpt-<step>.h5: the names sort by step; a ckpt-<step>.h5.part is one
// whose writing did not end, never a checkpoint). Empty when there is none
// or `dir` cannot be read.
std::vector<std::string> checkpoints_in(const std::string& dir);

class RankZeroOutputs {
 public:
  // On ranks other than 0 (active = false) every member does nothing.
  RankZeroOutputs(std::string dir, std::string deck_path, io::RunInfo run,
                  const std::vector<Series>& series, const std::vector<std::string>& columns,
                  bool active);

  // open() creates the directory, deck.toml, thermo.dat and thermo.h5,
  // starting from `restored` rows when continuing a run. Returns "" or
  // what went wrong.
  std::string open(const std::vector<io::SeriesRow>* restored);
  // observed() records one row in thermo.dat and thermo.h5.
  void observed(const io::SeriesRow& row);
  // checkpoint_written() notes a new checkpoint and deletes the oldest ones
  // beyond `keep`.
  void checkpoint_written(const std::string& path, int keep);
  // close() writes thermo.h5 a last time; returns "" or what went wrong.
  std::string close();

  const std::vector<io::SeriesRow>& rows() const;
  const Table& table() const { return table_; }
  const std::string& error() const { return error_; }
  std::string newest_checkpoint() const { return checkpoints_.empty() ? "" : checkpoints_.back(); }
  // release_reserve() gives back the space kept for closing files (call it
  // when a write has failed, before the outputs are closed).
  void release_reserve() { reserve_.release(); }

  // kReserve is the space kept free in the directory (io::SpaceReserve).
  static constexpr std::uint64_t kReserve = 2 << 20;

 private:
  void write_row(const io::SeriesRow& row);

  std::string dir_, deck_path_;
  io::RunInfo run_;
  std::vector<std::string> names_;
  Table table_;
  bool active_;
  std::ofstream text_;
  io::SpaceReserve reserve_;  // before the files: destroyed after them
  std::unique_ptr<io::SeriesFile> series_;
  std::vector<std::string> checkpoints_;  // oldest first
  std::string error_;
  std::vector<io::SeriesRow> none_;
};

}  // namespace weft::app
