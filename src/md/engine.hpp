// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "init.hpp"
#include "interfaces.hpp"
#include "weft/go/executor.hpp"
#include "weft/md/simulation.hpp"
#include "weft/md/snapshot.hpp"
#include "weft/mpi/comm.hpp"

namespace weft::md {

// choose_dims() chooses the process grid (deck or mpi::dims_create).
std::array<int, 3> choose_dims(const Config& cfg, int nranks);

enum Section { kPair = 0, kNeigh, kComm, kOutput, kModify, kOther, kSections };

class Engine {
 public:
  Engine(const Config& cfg, go::Executor& exec, MPI_Comm comm);
  void setup(const RunHooks& hooks);
  // snapshot() is this rank's share of the state a checkpoint keeps.
  Snapshot snapshot() const;
  // restart_from() makes the next setup() continue from `snap` instead of
  // creating atoms from the deck.
  void restart_from(Snapshot snap) { restart_ = std::make_unique<Snapshot>(std::move(snap)); }
  void advance(std::int64_t steps, const RunHooks& hooks);
  // step() runs one step, with a thermo row at its end when `thermo`.
  void step(bool thermo, const RunHooks& hooks);
  const ThermoRow& last_thermo() const { return last_; }
  ThermoRow thermo();
  RunReport report() const;
  const System& system() const { return sys_; }
  std::vector<real> integrator_state() const { return integrator_->state(); }

 private:
  Config cfg_;
  go::Executor& exec_;
  mpi::Comm cart_;  // the Cartesian communicator of the run (Context::comm)
  System sys_;
  Grid grid_;
  std::unique_ptr<Context> ctx_;
  std::unique_ptr<Comm> comm_;
  std::unique_ptr<Neighbor> neighbor_;
  std::unique_ptr<Force> force_;
  std::unique_ptr<Integrator> integrator_;
  ForceTally tally_;
  bool tally_valid_ = false;
  bool setup_done_ = false;
  std::int64_t ago_ = 0;
  std::int64_t builds_ = 0, dangerous_ = 0;
  std::vector<real> xhold_, yhold_, zhold_;
  std::array<double, kSections> time_{};
  double loop_time_ = 0;
  std::int64_t loop_steps_ = 0;
  real skin_ = 0;
  ThermoRow last_;
  struct {
    std::int64_t steps = 0;
    long long pairs = 0, interior = 0, early = 0, late = 0;
  } overlap_;

  std::unique_ptr<Snapshot> restart_;
  // on_scheduler() runs f through the executor: as a weft::go task with
  // the fibers scheduler (kernels then run as fiber tasks), directly with
  // OpenMP.
  template <class F>
  void on_scheduler(F&& f) {
    exec_.run(std::forward<F>(f));
  }

 public:
  // task_trace() is the per-task timeline of the fiber pool (runtime.trace).
  std::vector<weft::go::TaskRecord> task_trace() const { return exec_.trace(); }

 private:
  void setup_now(const RunHooks& hooks);
  // advance_now() runs `steps` steps; thermo rows as configured, or at the
  // last of them exactly when *thermo (when given).
  void advance_now(std::int64_t steps, const RunHooks& hooks, const bool* thermo);
  void place_subdomains();
  void setup_types(const std::vector<real>& mass);
  void restore(const Snapshot& snap);
  void rebuild();
  bool decide();
  real max_displacement_sq();
  void force(bool eflag);
  void force_overlapped(bool eflag);
  void check_blowup(const ThermoRow& row);
};

}  // namespace weft::md
