// SPDX-License-Identifier: Apache-2.0
// lj-vs-lammps-driver: runs the bench/in.lj problem (or a LAMMPS data file)
// with weft's MD engine, printing thermo and the end-of-run report. Used by
// tools/bench/lj-vs-lammps until `weft run` can take its place.
//   lj-vs-lammps-driver [--cells N] [--steps N] [--threads T] [--data FILE]
//                       [--no-create] [--bins K] [--thermo N] [--scheduler openmp|fibers]
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "weft/core/error.hpp"
#include "weft/md/simulation.hpp"
#include "weft/mpi/session.hpp"

int main(int argc, char** argv) {
  weft::mpi::Session session(&argc, &argv);
  const int rank = session.rank();
  weft::md::Config cfg;
  cfg.neighbor.every = 20;  // bench/in.lj: neigh_modify delay 0 every 20 check no
  cfg.neighbor.check = false;
  weft::go::ExecutorConfig ex;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() { return std::string(i + 1 < argc ? argv[++i] : ""); };
    if (a == "--cells") {
      const long n = std::atol(next().c_str());
      cfg.init.lattice.cells = {n, n, n};
    } else if (a == "--steps") {
      cfg.run.steps = std::atol(next().c_str());
    } else if (a == "--threads") {
      ex.threads = std::atoi(next().c_str());
    } else if (a == "--data") {
      cfg.init.source = "data";
      cfg.init.data_file = next();
    } else if (a == "--no-create") {
      cfg.velocity.create = false;
    } else if (a == "--bins") {
      cfg.neighbor.bins_per_cutoff = std::atoi(next().c_str());
    } else if (a == "--scheduler") {
      ex.scheduler = weft::go::parse_scheduler(next());
    } else if (a == "--thermo") {
      cfg.thermo.every = std::atoi(next().c_str());
    } else {
      if (rank == 0) std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      weft::mpi::abort(2);
    }
  }
  int code = 0;
  try {
    weft::md::validate(cfg, MPI_COMM_WORLD);
    weft::md::RunHooks hooks;
    if (rank == 0) std::printf("%s\n", weft::md::format_thermo_header().c_str());
    hooks.on_thermo = [rank](const weft::md::ThermoRow& r) {
      if (rank == 0) std::printf("%s\n", weft::md::format_thermo_row(r).c_str());
    };
    weft::go::Executor exec(ex);
    const auto report = weft::md::run(cfg, exec, MPI_COMM_WORLD, hooks);
    if (rank == 0) std::printf("%s", weft::md::format_report(report).c_str());
  } catch (const weft::InputError& e) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
    code = 2;
  } catch (const weft::RunError& e) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
    code = 3;
  }
  return code;
}
