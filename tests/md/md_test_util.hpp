// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "weft/md/simulation.hpp"
#include "weft/mpi/comm.hpp"
#include "weft/mpi/session.hpp"

namespace weft::md::test {

// serial() is an executor of one OpenMP thread (no pool).
inline go::Executor& serial() {
  static go::Executor e;
  return e;
}

// run_rows() runs `cfg` and returns the thermo rows.
inline std::vector<ThermoRow> run_rows(const Config& cfg, int threads, MPI_Comm comm) {
  std::vector<ThermoRow> rows;
  RunHooks hooks;
  hooks.on_thermo = [&rows](const ThermoRow& r) { rows.push_back(r); };
  go::Executor ex({.threads = threads});
  Simulation sim(cfg, ex, comm);
  sim.setup(hooks);
  sim.advance(cfg.run.steps, hooks);
  return rows;
}

// g8() formats like a LAMMPS thermo column (%.8g).
inline std::string g8(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.8g", v);
  return b;
}

inline double rel(double a, double b) {
  const double s = std::max(std::abs(a), std::abs(b));
  return s == 0 ? 0 : std::abs(a - b) / s;
}

// TempDir is a directory removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    const int rank = weft::mpi::initialized() ? weft::mpi::world().rank() : 0;
    path_ = std::filesystem::temp_directory_path() /
            ("weft-md-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(rank));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = file(name);
    std::ofstream(p) << text;
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// in_lj() is the defaults with LAMMPS bench/in.lj's neighbour settings
// (`neigh_modify delay 0 every 20 check no`), which the tests mirror.
inline Config in_lj() {
  Config c;
  c.neighbor.every = 20;
  c.neighbor.check = false;
  return c;
}

inline Config small_fcc(std::int64_t cells, std::int64_t steps) {
  Config c = in_lj();
  c.init.lattice.cells = {cells, cells, cells};
  c.run.steps = steps;
  c.thermo.every = steps;
  return c;
}

}  // namespace weft::md::test
