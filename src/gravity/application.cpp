// SPDX-License-Identifier: Apache-2.0
// Gravitational N-body as an application of the shared run loop: particles
// split over the ranks in contiguous ranges of the global order, forces
// from a ForceSolver of the registry (gravity.method), leapfrog
// kick-drift-kick with a global step or individual block steps (steps.hpp),
// observables, Gadget snapshots and checkpoints.
#include "weft/gravity/application.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>

#include "decompose.hpp"
#include "initial.hpp"
#include "observables.hpp"
#include "snapshot.hpp"
#include "steps.hpp"
#include "weft/core/error.hpp"
#include "weft/go/blocks.hpp"
#include "weft/gravity/deck.hpp"
#include "weft/gravity/force_solver.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

class Gravity final : public app::Application {
 public:
  Gravity(const Config& c, const app::RunContext& ctx)
      : c_(c),
        ctx_(ctx),
        solver_(force_solvers().at(c.gravity.method)(c.gravity)),
        blocks_(c.timestep, c.gravity.epsilon) {}

  std::vector<app::Series> series() const override { return observation_series(); }
  void setup() override {
    if (ctx_.restart) {
      restore(*const_cast<io::CheckpointReader*>(ctx_.restart));
      return;
    }
    p_ = initial_particles(c_, ctx_.comm);
    forces(0);
  }
  std::int64_t step() const override { return step_; }
  double time() const override { return time_; }
  void advance(bool) override {
    const auto t0 = std::chrono::steady_clock::now();
    const double dt = c_.timestep.mode == "block" ? c_.timestep.dt_max : next_dt();
    if (c_.timestep.mode == "block") {
      blocks_.advance(p_, ctx_.comm, *ctx_.executor,
                      [this](int min_level) { return forces(min_level); });
    } else {
      kick(0.5 * dt);
      drift(dt);
      forces(0);
      kick(0.5 * dt);
    }
    time_ += dt;
    last_dt_ = dt;
    ++step_;
    ++steps_run_;
    step_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::vector<double> observe() override {
    const Observation o = observe_particles(p_, ctx_.comm);
    if (!have_e0_) {
      e0_ = o.total();
      have_e0_ = true;
    }
    return observation_values(o, e0_);
  }
  std::vector<std::unique_ptr<app::Output>> open_outputs() override {
    std::vector<std::unique_ptr<app::Output>> out;
    if (c_.snapshot.every > 0) out.push_back(make_snapshots(c_, ctx_, p_, time_, step_));
    return out;
  }
  void checkpoint(io::CheckpointWriter& w) override;
  std::string report() override;

 private:
  void restore(io::CheckpointReader& r);
  // forces() computes new forces of the particles with level >= min_level;
  // it returns how many of this rank's particles got them.
  std::int64_t forces(int min_level) {
    const ForceWork w = solver_->compute(p_, ctx_.comm, *ctx_.executor, min_level);
    interactions_ += w.interactions;
    evaluations_ += w.targets;
    force_seconds_ += w.seconds;
    return w.targets;
  }
  // next_dt() is the global step: fixed, or Gadget's accuracy criterion
  // min over particles of sqrt(2 eta eps / |a|), at most dt_max (the
  // smallest over the ranks: every rank takes the same step).
  double next_dt() const {
    const TimestepConfig& t = c_.timestep;
    if (t.mode == "fixed") return t.dt;
    double amax = 0;
    for (const Vec3& a : p_.acc) amax = std::max(amax, a.norm());
    amax = mpi::allreduce(amax, MPI_MAX, mpi::Comm(ctx_.comm));
    if (amax <= 0) return t.dt_max;
    return std::min(t.dt_max, std::sqrt(2 * t.eta * c_.gravity.epsilon / amax));
  }
  void kick(double h) { add_scaled(p_.vel, h, p_.acc); }
  void drift(double dt) { add_scaled(p_.pos, dt, p_.vel); }
  // add_scaled() is y += h x over this rank's particles, threaded.
  void add_scaled(std::vector<Vec3>& y, double h, const std::vector<Vec3>& x) {
    ctx_.executor->run([&] {
      go::parallel_range(ctx_.executor->threads(), static_cast<std::int64_t>(y.size()),
                         [&](std::int64_t b, std::int64_t e, int) {
                           for (auto i = static_cast<std::size_t>(b);
                                i < static_cast<std::size_t>(e); ++i)
                             y[i] += h * x[i];
                         });
    });
  }

  Config c_;
  const app::RunContext& ctx_;
  std::unique_ptr<ForceSolver> solver_;
  BlockSteps blocks_;
  Particles p_;
  std::int64_t step_ = 0;
  double time_ = 0, last_dt_ = 0, e0_ = 0;
  bool have_e0_ = false;
  std::int64_t interactions_ = 0, steps_run_ = 0;
  std::int64_t evaluations_ = 0;  // force evaluations: targets summed over computations
  double force_seconds_ = 0, step_seconds_ = 0;
};

// Checkpoint: one row per particle (id, mass, position, velocity,
// acceleration, potential, work weight, block level) and the scalars of the
// integration. The acceleration is kept, not recomputed, so a continuation
// on the same layout is bit-identical to the run that was not stopped.
void Gravity::checkpoint(io::CheckpointWriter& w) {
  w.attribute("time", time_);
  w.attribute("last_dt", last_dt_);
  w.attribute("e0", e0_);
  w.attribute("have_e0", std::int32_t{have_e0_ ? 1 : 0});
  w.attribute("particles_total", p_.total);
  w.rows("particles", static_cast<std::int64_t>(p_.size()));
  w.column("id", p_.id);
  w.column("mass", p_.mass);
  const char* names[4][3] = {{"x", "y", "z"}, {"vx", "vy", "vz"}, {"ax", "ay", "az"}, {"", "", ""}};
  const std::vector<Vec3>* vecs[3] = {&p_.pos, &p_.vel, &p_.acc};
  for (int v = 0; v < 3; ++v)
    for (int k = 0; k < 3; ++k) {
      std::vector<double> col(p_.size());
      for (std::size_t i = 0; i < p_.size(); ++i) col[i] = (*vecs[v])[i][k];
      w.column(names[v][k], col);
    }
  w.column("pot", p_.pot);
  w.column("work", p_.work);
  w.attribute("levels", std::int32_t{1});  // marks the level column (older checkpoints lack it)
  w.column("level", p_.level);
  if (!p_.stretches.empty()) w.attribute("stretches", p_.stretches);
}

void Gravity::restore(io::CheckpointReader& r) {
  step_ = r.step();
  time_ = r.attribute<double>("time");
  last_dt_ = r.attribute<double>("last_dt");
  e0_ = r.attribute<double>("e0");
  have_e0_ = r.attribute<std::int32_t>("have_e0") != 0;
  const std::int64_t n = r.rows("particles");
  const mpi::Comm comm(ctx_.comm);
  p_.offset = mpi::exscan(n, MPI_SUM, comm);
  p_.total = mpi::allreduce(n, MPI_SUM, comm);
  p_.resize(static_cast<std::size_t>(n));
  p_.id = r.column_int64("id");
  p_.mass = r.column_double("mass");
  const char* names[3][3] = {{"x", "y", "z"}, {"vx", "vy", "vz"}, {"ax", "ay", "az"}};
  std::vector<Vec3>* vecs[3] = {&p_.pos, &p_.vel, &p_.acc};
  for (int v = 0; v < 3; ++v)
    for (int k = 0; k < 3; ++k) {
      const std::vector<double> col = r.column_double(names[v][k]);
      for (std::size_t i = 0; i < p_.size(); ++i) (*vecs[v])[i][k] = col[i];
    }
  p_.pot = r.column_double("pot");
  p_.work = r.column_double("work");
  if (r.has_attribute("levels")) p_.level = r.column_int32("level");
  // the split of the curve holds for the layout it was made on
  if (r.exact() && r.has_attribute("stretches"))
    p_.stretches = r.attribute_vector<std::uint64_t>("stretches");
  if (!r.exact()) forces(0);  // another layout: the same forces, recomputed here
}

std::string Gravity::report() {
  const mpi::Comm comm(ctx_.comm);
  const std::vector<double> work = mpi::allgather(force_seconds_, comm);
  double sum = 0, worst = 0;
  for (double w : work) {
    sum += w;
    worst = std::max(worst, w);
  }
  const double mean = sum / static_cast<double>(work.size());
  const std::int64_t interactions = mpi::allreduce(interactions_, MPI_SUM, comm);
  const double per_step = steps_run_ > 0 ? step_seconds_ / static_cast<double>(steps_run_) : 0.0;
  const std::int64_t evaluations = mpi::allreduce(evaluations_, MPI_SUM, comm);
  std::string out = fmt::format(
      "{} particles on {} ranks, {}\n"
      "{} steps in this run, {:.4g} s/step; {} force evaluations; {:.4g} interactions ({:.4g} per "
      "second of force work per rank); force work imbalance max/mean over ranks {:.3f} (time), "
      "{:.3f} (interactions)",
      p_.total, comm.size(), solver_->describe(), steps_run_, per_step, evaluations,
      static_cast<double>(interactions), sum > 0 ? static_cast<double>(interactions) / sum : 0.0,
      mean > 0 ? worst / mean : 1.0, work_imbalance(p_, comm));
  if (c_.timestep.mode == "block") out += "\n" + blocks_.report(p_, ctx_.comm);
  return out;
}

class Kind final : public app::KindOf<Config> {
 public:
  std::string summary() const override {
    return "gravitational N-body (softened gravity, leapfrog, Gadget HDF5 snapshots)";
  }
  app::Units units() const override { return {"nbody", "time"}; }
  void validate(const app::LoadedDeck& deck, MPI_Comm comm) const override {
    const Config& c = config(deck);
    std::string problem;
    if (c.initial.style == "gadget" && mpi::Comm(comm).rank() == 0) {
      try {
        gadget_count(c.initial.file);
      } catch (const InputError& e) {
        problem = e.what();
      }
    }
    problem = mpi::first_error(problem, mpi::Comm(comm));
    if (!problem.empty()) throw InputError(problem);
  }
  app::MemoryEstimate memory_per_rank(const app::LoadedDeck& deck, int ranks,
                                      int threads) const override;
  std::string layout(const app::LoadedDeck& deck) const override {
    const Config& c = config(deck);
    return c.gravity.method == "tree"
               ? "tree, particles split along the Morton curve by work"
               : fmt::format("{}, contiguous ranges of particles", c.gravity.method);
  }
  std::vector<std::string> inputs(const app::LoadedDeck& deck) const override {
    const Config& c = config(deck);
    return c.initial.style == "gadget" ? std::vector<std::string>{c.initial.file}
                                       : std::vector<std::string>{};
  }
  std::vector<std::string> restart_sections() const override {
    return {"gravity", "timestep", "initial"};
  }
  std::unique_ptr<app::Application> create(const app::LoadedDeck& deck,
                                           const app::RunContext& ctx) const override {
    return std::make_unique<Gravity>(config(deck), ctx);
  }

 protected:
  const deck::Schema<Config>& part() const override { return schema(); }
  void resolve_paths(Config& c, const std::filesystem::path& dir) const override {
    if (!c.initial.file.empty() && std::filesystem::path(c.initial.file).is_relative())
      c.initial.file = (dir / c.initial.file).lexically_normal().string();
  }
};

// memory_per_rank(): every rank holds its share of the particles (id, mass,
// position, velocity, acceleration, potential: 96 bytes) and, for direct
// summation and the observables, every particle gathered (positions and
// masses as 4 padded arrays, 32 bytes; the observables' rows, 64 bytes,
// plus radii, masses and order, 24 bytes): about 120 bytes per particle of
// the whole run beside 96 per own particle.
app::MemoryEstimate Kind::memory_per_rank(const app::LoadedDeck& deck, int ranks,
                                          int threads) const {
  (void)threads;
  const Config& c = config(deck);
  std::int64_t n = 0;
  if (c.initial.style == "kepler")
    n = 2;
  else if (c.initial.style == "gadget") {
    try {
      n = gadget_count(c.initial.file);
    } catch (const InputError&) {
      return {};  // validate() says what is wrong with the file
    }
  } else
    n = c.initial.count;
  // Gathers use int counts of doubles: 8 values per particle.
  if (n > std::numeric_limits<int>::max() / 8)
    throw InputError(
        fmt::format("{} particles: weft gravity holds at most {} (every rank gathers "
                    "8 values per particle with int counts); use fewer particles",
                    n, std::numeric_limits<int>::max() / 8));
  const std::int64_t own = (n + ranks - 1) / ranks;
  const auto bytes = static_cast<std::uint64_t>(own) * 96 + static_cast<std::uint64_t>(n) * 120;
  return {bytes, fmt::format("{} particles, {} per rank: 96 bytes per own particle and 120 per "
                             "particle of the run (gathered positions, masses, observables)",
                             n, own)};
}

}  // namespace

const app::ApplicationKind& application_kind() {
  static const Kind kind;
  return kind;
}

}  // namespace weft::gravity
