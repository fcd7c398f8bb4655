// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "weft/core/types.hpp"
#include "weft/go/executor.hpp"
#include "weft/go/trace.hpp"
#include "weft/md/config.hpp"
#include "weft/md/snapshot.hpp"
#include "weft/md/system.hpp"

// Public entry points of the Lennard-Jones molecular-dynamics engine.
// Everything here is collective over the communicator it is given.
namespace weft::md {

// ThermoRow is one line of thermodynamic output, globally reduced, with
// LAMMPS `units lj` conventions: energies per atom, temperature from 3N-3
// degrees of freedom, virial pressure (plus tail correction if enabled).
struct ThermoRow {
  std::int64_t step = 0;
  real time = 0, temp = 0, pe = 0, ke = 0, etotal = 0, press = 0, volume = 0;
  std::int64_t atoms = 0;
  Mat3 pressure_tensor = Mat3::Zero();
};

struct RunHooks {
  // Called on every rank with globally reduced values at each thermo step.
  std::function<void(const ThermoRow&)> on_thermo;
  // Called on every rank after every step (progress display); keep it cheap.
  std::function<void(std::int64_t step, std::int64_t last)> on_step;
};

// TimeStat is a per-rank quantity reduced over ranks.
struct TimeStat {
  real min = 0, avg = 0, max = 0;
};

// RunReport is the end-of-run summary (LAMMPS-like).
struct RunReport {
  real loop_time = 0;  // s, wall time of the step loop (max over ranks)
  std::int64_t steps = 0;
  std::int64_t atoms = 0;
  int ranks = 1;
  int threads = 1;
  std::string scheduler;  // what ran the kernels (go::Executor::describe())
  std::array<int, 3> grid{1, 1, 1};
  real dt = 0;
  real atom_steps_per_s = 0;
  real steps_per_s = 0;
  real tau_per_day = 0;
  // Time breakdown in seconds: pair, neigh, comm, output, modify, other.
  static constexpr std::array<const char*, 6> section_names{"Pair",   "Neigh",  "Comm",
                                                            "Output", "Modify", "Other"};
  std::array<TimeStat, 6> sections{};
  real load_imbalance = 1;  // max/avg over ranks of (pair + neigh) time
  TimeStat nlocal, nghost, neighbors;
  std::int64_t total_neighbors = 0;
  std::int64_t neighbor_builds = 0;
  std::int64_t dangerous_builds = 0;
  bool dangerous_checked = false;
  // Overlap of ghost communication with the force kernels (fibers only; on
  // steps without a rebuild). Shares are of the pairs of those steps, summed
  // over ranks: pairs in blocks that read no ghost, and pairs whose block
  // started before every ghost position had arrived, and pairs computed
  // while the ghost forces were on their way back.
  std::int64_t overlapped_steps = 0;
  real interior_share = 0;
  real early_share = 0;
  real late_share = 0;
  ThermoRow last;
};

class Engine;

// Simulation owns one run: its communicator, particles and algorithms.
// run() below is the usual way in; tests and writers use this class to reach
// the particle state between steps.
class Simulation {
 public:
  Simulation(const Config& config, go::Executor& exec, MPI_Comm comm);
  // Simulation(config, exec, comm, snapshot) continues a run from a
  // checkpoint: setup() restores `snapshot` instead of creating atoms.
  Simulation(const Config& config, go::Executor& exec, MPI_Comm comm, Snapshot snapshot);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // setup() creates the atoms, computes forces at step 0 and reports the
  // step-0 thermo through hooks.on_thermo.
  void setup(const RunHooks& hooks = {});
  // advance() runs `steps` more steps (thermo output as configured).
  void advance(std::int64_t steps, const RunHooks& hooks = {});
  // step() runs one more step with a thermo row at its end exactly when
  // `thermo` (the caller decides when rows are due).
  void step(bool thermo, const RunHooks& hooks = {});
  // last_thermo() is the newest thermo row (of setup() or a thermo step).
  const ThermoRow& last_thermo() const;
  // thermo() computes the thermo row of the current state (collective).
  ThermoRow thermo();
  RunReport report() const;
  const System& system() const;
  // snapshot() is this rank's share of what a checkpoint keeps (after setup()).
  Snapshot snapshot() const;
  // task_trace() is this rank's fiber task timeline (scheduler "fibers"
  // with trace on; empty otherwise).
  std::vector<weft::go::TaskRecord> task_trace() const;
  // Thermostat state (Nose-Hoover chain variables) for checkpoints.
  std::vector<real> integrator_state() const;

 private:
  std::unique_ptr<Engine> engine_;
};

// validate() checks everything that can be wrong with the input before any
// output is written and throws weft::InputError saying what, where and how
// to fix it. Collective.
void validate(const Config& config, MPI_Comm comm);

// run() runs the whole simulation (setup + config.run.steps steps).
// Throws weft::RunError on a numerical blow-up. Collective.
RunReport run(const Config& config, go::Executor& exec, MPI_Comm comm, const RunHooks& hooks = {});

// format_report() renders the LAMMPS-like end-of-run report.
std::string format_report(const RunReport& report);

// format_thermo_header()/format_thermo_row() render LAMMPS-style thermo lines.
std::string format_thermo_header();
std::string format_thermo_row(const ThermoRow& row);

}  // namespace weft::md
