// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weft/app/config.hpp"
#include "weft/go/executor.hpp"
#include "weft/io/checkpoint.hpp"
#include "weft/io/parameters.hpp"
#include "weft/mpi/comm.hpp"

namespace weft::app {

// Series is one observable of an application: a scalar recorded every
// thermo.every steps in thermo.h5 (/observables/<name>), in checkpoints and
// in trajectory-like outputs, and shown as a column of thermo.dat and of
// the screen table when it has a label.
struct Series {
  std::string name;   // H5MD-style name: "potential_energy"
  std::string label;  // table header ("PotEng"); "" keeps it out of the table
};

// Units names an application's unit system for every output's /parameters
// and the unit of its time.
struct Units {
  std::string system;  // "lj"
  std::string time;    // "tau"
};

// RunContext is what the run loop gives an application for one run. It
// outlives the application.
struct RunContext {
  MPI_Comm comm = MPI_COMM_NULL;  // the run's ranks (MPI_COMM_WORLD)
  go::Executor* executor;         // runs the application's kernels (runtime section)
  const CommonConfig* common;     // the shared sections of the deck
  io::RunInfo run;                // deck, application, units (ApplicationKind::units())
  std::string out_dir;            // where outputs go (exists)
  const io::CheckpointReader* restart = nullptr;  // continuing from it; null for a new run
};

// Output is a file an application writes during a run beside the shared
// outputs (thermo.dat, thermo.h5, checkpoints): MD's H5MD trajectory,
// gravity's snapshots. Every member is collective.
class Output {
 public:
  virtual ~Output() = default;
  // after_step() is called after every step (and its observation); the
  // output writes when the step is one of its own.
  virtual void after_step(std::int64_t step) = 0;
  // finish() completes the file (final name). Called once at the end of a
  // run that did not fail, also one stopped by a signal.
  virtual void finish() = 0;
  // name() is the file name for the end-of-run message.
  virtual std::string name() const = 0;
};

// Application is one run of an application, made by its ApplicationKind
// (kind.hpp). The run loop (weft::app::run_loop) owns the steps, the
// observables table, checkpoints, signals and restarts; the application
// owns its state and physics. Every member is collective over the run's
// ranks unless it says otherwise; errors are weft::InputError (bad input,
// exit 2), weft::RunError (the run failed, exit 3).
//
//   class Nbody final : public app::Application {
//     std::vector<app::Series> series() const override { return {{"total_energy", "TotEng"}}; }
//     void setup() override { ... ctx.restart ? restore(*ctx.restart) : create(); }
//     void advance(bool observe) override { kick_drift_kick(observe); }
//     std::vector<double> observe() override { return {energy_}; }
//     ...
//   };
class Application {
 public:
  virtual ~Application() = default;

  // series() are the observables, in the order of observe(). Not collective.
  virtual std::vector<Series> series() const = 0;
  // columns() are the columns of the observables table (thermo.dat and the
  // screen), in order: "step", "time" or a series name. The default is the
  // step, the time and every labelled series. thermo.h5, checkpoints and
  // frames keep every series whatever the table shows. Not collective.
  virtual std::vector<std::string> columns() const {
    std::vector<std::string> out{"step", "time"};
    for (const auto& s : series())
      if (!s.label.empty()) out.push_back(s.name);
    return out;
  }
  // setup() creates the state at step 0, or restores it from
  // RunContext::restart (weft::InputError when the checkpoint cannot be
  // used); observe() is valid after it. It writes no file.
  virtual void setup() = 0;
  // step() and time() are the current step and simulated time. Not collective.
  virtual std::int64_t step() const = 0;
  virtual double time() const = 0;
  // advance() runs one step; `observe` says observe() will follow it (so
  // the step computes what the observables need).
  virtual void advance(bool observe) = 0;
  // observe() is the value of every series at the current step, the same
  // on every rank.
  virtual std::vector<double> observe() = 0;
  // open_outputs() creates the application's own outputs, continuing them
  // when the run continues a checkpoint; called after setup().
  virtual std::vector<std::unique_ptr<Output>> open_outputs() = 0;
  // checkpoint() adds the application's state to a checkpoint being
  // written (attributes, values, rows and columns: io::CheckpointWriter).
  virtual void checkpoint(io::CheckpointWriter& w) = 0;
  // report() is the application's part of the end-of-run report; valid on
  // rank 0.
  virtual std::string report() = 0;
};

}  // namespace weft::app
