// SPDX-License-Identifier: Apache-2.0
// Engine: the time-step loop (LAMMPS Verlet order): initial integrate,
// neighbour decision (rebuild = wrap + migrate + sort + ghosts + list, else
// forward ghost positions), force, reverse ghost forces, final integrate,
// thermo output.
#include "engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "weft/core/error.hpp"
#include "weft/go/go.hpp"
#include "weft/go/wait_group.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::md {
namespace {

struct Timer {
  double& acc;
  double t0;
  explicit Timer(double& a) : acc(a), t0(mpi::wtime()) {}
  ~Timer() { acc += mpi::wtime() - t0; }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
};

}  // namespace

std::array<int, 3> choose_dims(const Config& cfg, int nranks) {
  std::array<int, 3> dims = cfg.decomposition.grid;
  const bool given = dims[0] > 0 && dims[1] > 0 && dims[2] > 0;
  if (given) return dims;
  if (dims[0] == 0 && dims[1] == 0 && dims[2] == 0) {
    // Minimise the subdomain surface for this box (LAMMPS procs2box idea):
    // try all factorizations.
    Vec3 len = Vec3::Ones();
    if (cfg.init.source == "lattice") len = lattice_box(cfg).length();
    real best = -1;
    std::array<int, 3> best_dims{nranks, 1, 1};
    for (int a = 1; a <= nranks; ++a) {
      if (nranks % a) continue;
      for (int b = 1; b <= nranks / a; ++b) {
        if ((nranks / a) % b) continue;
        const int c = nranks / a / b;
        const real sx = len.x() / a, sy = len.y() / b, sz = len.z() / c;
        const real area = sx * sy + sy * sz + sx * sz;
        if (best < 0 || area < best - 1e-12) {
          best = area;
          best_dims = {a, b, c};
        }
      }
    }
    return best_dims;
  }
  return mpi::dims_create(nranks, dims);
}

Engine::Engine(const Config& cfg, go::Executor& exec, MPI_Comm comm) : cfg_(cfg), exec_(exec) {
  grid_.dims = choose_dims(cfg_, mpi::Comm(comm).size());
  const auto periodic = periodic_flags(cfg_);
  const std::array<int, 3> periods = {periodic[0], periodic[1], periodic[2]};
  cart_ = mpi::cart_create(comm, grid_.dims, periods);
  grid_.coords = mpi::cart_coords<3>(cart_, cart_.rank());
  ctx_ = std::make_unique<Context>(Context{sys_, cfg_, cart_.get(), grid_, exec_.threads()});
  comm_ = make_comm("staged");
  neighbor_ = make_neighbor("bin");
  force_ = pair_style(cfg_.pair.style).make(cfg_.pair);
  integrator_ = integrator_style(cfg_.integrator.style).make();
}

void Engine::setup_types(const std::vector<real>& mass) {
  System& s = sys_;
  s.mass = mass;
  s.type_names.assign(s.mass.size(), "");
  for (std::size_t t = 1; t < s.mass.size(); ++t)
    s.type_names[t] =
        t <= cfg_.species.size() ? cfg_.species[t - 1].name : "type" + std::to_string(t);
}

void Engine::place_subdomains() {
  System& s = sys_;
  for (int d = 0; d < 3; ++d) {
    auto& sp = grid_.splits[static_cast<std::size_t>(d)];
    const int p = grid_.dims[static_cast<std::size_t>(d)];
    sp.resize(static_cast<std::size_t>(p) + 1);
    const real len = s.box.hi[d] - s.box.lo[d];
    for (int k = 0; k <= p; ++k)
      sp[static_cast<std::size_t>(k)] = k == p ? s.box.hi[d] : s.box.lo[d] + len * k / p;
    s.sublo[d] = sp[static_cast<std::size_t>(grid_.coords[static_cast<std::size_t>(d)])];
    s.subhi[d] = sp[static_cast<std::size_t>(grid_.coords[static_cast<std::size_t>(d)] + 1)];
  }
}

void Engine::setup(const RunHooks& hooks) {
  on_scheduler([&] { setup_now(hooks); });
}

void Engine::setup_now(const RunHooks& hooks) {
  System& s = sys_;
  Context& ctx = *ctx_;
  s.dt = cfg_.integrator.dt;
  s.step = 0;
  if (restart_) {
    restore(*restart_);
    restart_.reset();
  } else {
    DataFile data;
    if (cfg_.init.source == "data") {
      data = read_data_file(cfg_.init.data_file, periodic_flags(cfg_));
      s.box = data.box;
      setup_types(data.mass);
    } else {
      s.box = lattice_box(cfg_);
      std::vector<real> mass(cfg_.species.size() + 1, 1.0);
      for (std::size_t t = 0; t < cfg_.species.size(); ++t) mass[t + 1] = cfg_.species[t].mass;
      setup_types(mass);
    }
    place_subdomains();
    if (cfg_.init.source == "data")
      create_data_atoms(ctx, data);
    else
      create_lattice_atoms(ctx);
    data = DataFile{};
    if (cfg_.velocity.create) create_velocities(ctx, cfg_.velocity.temperature, cfg_.velocity.seed);

    force_->init(ctx);
    skin_ = cfg_.neighbor.skin;
    std::vector<real> cutneigh = force_->cutoffs();
    for (real& c : cutneigh) c += skin_;
    neighbor_->setup(ctx, cutneigh, force_->max_cutoff() + skin_);
    rebuild();
    ago_ = 0;
    builds_ = 0;  // like LAMMPS, the setup build is not counted
    dangerous_ = 0;
    force(true);
    integrator_->setup(ctx);
  }
  setup_done_ = true;
  time_.fill(0.0);  // the breakdown covers the step loop only
  last_ = thermo();
  check_blowup(last_);
  if (hooks.on_thermo) hooks.on_thermo(last_);
}

void Engine::rebuild() {
  Context& ctx = *ctx_;
  System& s = sys_;
  {
    Timer t(time_[kComm]);
    comm_->exchange(ctx);
  }
  {
    Timer t(time_[kNeigh]);
    neighbor_->sort_owned(ctx);
  }
  {
    Timer t(time_[kComm]);
    comm_->borders(ctx, force_->max_cutoff() + skin_);
  }
  {
    Timer t(time_[kNeigh]);
    neighbor_->build(ctx);
    const auto n = static_cast<std::size_t>(s.nlocal);
    xhold_.assign(s.x.begin(), s.x.begin() + static_cast<std::ptrdiff_t>(n));
    yhold_.assign(s.y.begin(), s.y.begin() + static_cast<std::ptrdiff_t>(n));
    zhold_.assign(s.z.begin(), s.z.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

real Engine::max_displacement_sq() {
  const System& s = sys_;
  real local = 0;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real dx = s.x[k] - xhold_[k], dy = s.y[k] - yhold_[k], dz = s.z[k] - zhold_[k];
    local = std::max(local, dx * dx + dy * dy + dz * dz);
  }
  if (!std::isfinite(local)) local = 1e300;
  return mpi::allreduce(local, MPI_MAX, ctx_->comm);
}

bool Engine::decide() {
  ++ago_;
  const int every = std::max(1, cfg_.neighbor.every);
  if (ago_ % every != 0) return false;
  const real trigger = 0.25 * skin_ * skin_;
  if (!cfg_.neighbor.check) return true;  // like LAMMPS: dangerous builds not checked
  if (max_displacement_sq() > trigger) {
    if (ago_ == every) ++dangerous_;  // LAMMPS: triggered at the first check
    return true;
  }
  return false;
}

void Engine::force(bool eflag) {
  Context& ctx = *ctx_;
  {
    Timer t(time_[kPair]);
    force_->compute(ctx, neighbor_->list(), eflag, tally_);
  }
  {
    Timer t(time_[kComm]);
    comm_->reverse(ctx);
  }
  tally_valid_ = eflag;
}

// overlap_enabled() is false when WEFT_MD_OVERLAP=0 (fibers then refresh
// ghosts before the force kernels, as OpenMP does; for comparison). On one
// rank there are no messages to overlap and it is not used either.
static bool overlap_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("WEFT_MD_OVERLAP");
    return e == nullptr || std::strcmp(e, "0") != 0;
  }();
  return on;
}

// force_overlapped() refreshes the ghost positions in a separate task while
// the force kernels run: interior blocks compute at once, border blocks wait
// for their swaps (GhostGate). Once every share is past its border blocks a
// `reverse` task sums the ghosts' forces and sends them back while the
// shares compute their last interior blocks (ReverseGate); what comes back
// for owned atoms is added after the owned forces are summed. The time
// kernels spend blocked on ghosts is reported as communication (averaged
// over workers), the rest as pair; the reverse messages that the kernels did
// not cover count as communication.
void Engine::force_overlapped(bool eflag) {
  Context& ctx = *ctx_;
  const double t0 = mpi::wtime();
  double blocked = 0;
  double reverse_wait = 0;
  {
    force_->begin_overlap(ctx);
    GhostGate gate([&](index first, index n) { force_->ghosts_moved(ctx, first, n); });
    ReverseGate rev(std::max(1, exec_.threads()));
    weft::go::WaitGroup sent, reversed;
    sent.add(1);
    reversed.add(1);
    weft::go::go({.name = "ghosts"}, [&] {
      comm_->forward(ctx, &gate);
      sent.done();
    });
    weft::go::go({.name = "reverse"}, [&] {
      rev.wait();
      force_->reduce_ghosts(ctx);
      comm_->reverse_ghosts(ctx);
      rev.finish();
      reversed.done();
    });
    weft::go::yield();  // let it post its messages before the kernels start
    force_->compute(ctx, neighbor_->list(), eflag, tally_, &gate, &rev);
    sent.wait();
    const double t1 = mpi::wtime();
    reversed.wait();
    reverse_wait = mpi::wtime() - t1;
    comm_->reverse_owned(ctx);
    blocked = gate.blocked_seconds() / std::max(1, exec_.threads());
    const NeighborList& list = neighbor_->list();
    unsigned messages = 0;  // swaps that exchange messages with other ranks
    for (int d = 0; d < 3; ++d)
      if (grid_.dims[static_cast<std::size_t>(d)] > 1) messages |= 3u << (2 * d);
    ++overlap_.steps;
    overlap_.early += gate.early_pairs();
    overlap_.late += rev.late_pairs();
    for (const NeighborBlock& b : list.blocks) {
      overlap_.pairs += b.npairs;
      if ((b.ghost_swaps & messages) == 0) overlap_.interior += b.npairs;
    }
  }
  const double elapsed = mpi::wtime() - t0;
  const double comm = std::min(elapsed, blocked + reverse_wait);
  time_[kPair] += elapsed - comm;
  time_[kComm] += comm;
  tally_valid_ = eflag;
}

void Engine::advance(std::int64_t steps, const RunHooks& hooks) {
  if (!setup_done_) setup(hooks);
  on_scheduler([&] { advance_now(steps, hooks, nullptr); });
}

void Engine::step(bool thermo_step, const RunHooks& hooks) {
  if (!setup_done_) setup(hooks);
  on_scheduler([&] { advance_now(1, hooks, &thermo_step); });
}

void Engine::advance_now(std::int64_t steps, const RunHooks& hooks, const bool* observe) {
  Context& ctx = *ctx_;
  System& s = sys_;
  const std::int64_t first = s.step + 1;
  const std::int64_t last = s.step + steps;
  const std::int64_t run_last =
      std::max(cfg_.run.steps, std::int64_t{0}) > 0 ? cfg_.run.steps : last;
  const int every = cfg_.thermo.every;
  mpi::barrier(ctx.comm);
  const double t0 = mpi::wtime();
  for (std::int64_t step = first; step <= last; ++step) {
    s.step = step;
    // Thermo at every `every` steps and at the last step of the run (as
    // configured): advance() may be called in chunks (e.g. between
    // trajectory frames) without adding thermo rows.
    const bool thermo_step =
        observe ? *observe : step == run_last || (every > 0 && step % every == 0);
    {
      Timer t(time_[kModify]);
      integrator_->initial(ctx);
    }
    if (decide()) {
      rebuild();
      ++builds_;
      ago_ = 0;
      force(thermo_step);
    } else if (exec_.scheduler() == go::Scheduler::fibers && overlap_enabled() &&
               grid_.dims != std::array<int, 3>{1, 1, 1}) {
      force_overlapped(thermo_step);
    } else {
      {
        Timer t(time_[kComm]);
        comm_->forward(ctx);
      }
      force(thermo_step);
    }
    {
      Timer t(time_[kModify]);
      integrator_->post_force(ctx);
      integrator_->final(ctx);
    }
    if (thermo_step) {
      Timer t(time_[kOutput]);
      last_ = thermo();
      check_blowup(last_);
      if (hooks.on_thermo) hooks.on_thermo(last_);
    }
    if (hooks.on_step) hooks.on_step(step, std::max(run_last, last));
  }
  loop_time_ += mpi::wtime() - t0;
  loop_steps_ += steps;
}

ThermoRow Engine::thermo() {
  Context& ctx = *ctx_;
  System& s = sys_;
  if (!tally_valid_) {
    // Energies were not computed at this step: compute them without
    // disturbing the forces the integrator will use next (they may include
    // thermostat forces), so output frequency never changes a trajectory.
    const auto n = static_cast<std::ptrdiff_t>(s.nlocal);
    std::vector<real> fx(s.fx.begin(), s.fx.begin() + n), fy(s.fy.begin(), s.fy.begin() + n),
        fz(s.fz.begin(), s.fz.begin() + n);
    force(true);
    std::copy(fx.begin(), fx.end(), s.fx.begin());
    std::copy(fy.begin(), fy.end(), s.fy.begin());
    std::copy(fz.begin(), fz.end(), s.fz.begin());
  }
  // kinetic tensor sum m v_a v_b (6), pair energy (1), virial (6)
  double local[13] = {0};
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real m = s.mass[static_cast<std::size_t>(s.type[k])];
    local[0] += m * s.vx[k] * s.vx[k];
    local[1] += m * s.vy[k] * s.vy[k];
    local[2] += m * s.vz[k] * s.vz[k];
    local[3] += m * s.vx[k] * s.vy[k];
    local[4] += m * s.vx[k] * s.vz[k];
    local[5] += m * s.vy[k] * s.vz[k];
  }
  local[6] = tally_.energy;
  const Mat3& w = tally_.virial;
  local[7] = w(0, 0);
  local[8] = w(1, 1);
  local[9] = w(2, 2);
  local[10] = w(0, 1);
  local[11] = w(0, 2);
  local[12] = w(1, 2);
  double g[13];
  mpi::allreduce(local, g, 13, MPI_SUM, ctx.comm);
  ThermoRow r;
  r.step = s.step;
  r.time = static_cast<real>(s.step) * s.dt;
  r.atoms = s.natoms;
  r.volume = s.box.volume();
  const real n = static_cast<real>(std::max<std::int64_t>(1, s.natoms));
  const real ndof = dof(ctx);
  const real mv2 = g[0] + g[1] + g[2];
  r.temp = ndof > 0 ? mv2 / ndof : 0;
  r.ke = 0.5 * mv2 / n;
  r.pe = (g[6] + force_->etail(r.volume)) / n;
  r.etotal = r.pe + r.ke;
  const real ptail = force_->ptail(r.volume);
  const real inv_v = 1.0 / r.volume;
  r.press = (ndof * r.temp + g[7] + g[8] + g[9] + 3.0 * ptail) / 3.0 * inv_v;
  Mat3 p;
  p << g[0] + g[7] + ptail, g[3] + g[10], g[4] + g[11], g[3] + g[10], g[1] + g[8] + ptail,
      g[5] + g[12], g[4] + g[11], g[5] + g[12], g[2] + g[9] + ptail;
  r.pressure_tensor = p * inv_v;
  return r;
}

void Engine::check_blowup(const ThermoRow& row) {
  const bool bad = !std::isfinite(row.pe) || !std::isfinite(row.press) || !std::isfinite(row.temp);
  if (!bad) return;  // identical on every rank (reduced values)
  const System& s = sys_;
  const mpi::Comm comm(ctx_->comm);
  mpi::DoubleInt mine{-1.0, comm.rank()};
  index wi = -1;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real f2 = s.fx[k] * s.fx[k] + s.fy[k] * s.fy[k] + s.fz[k] * s.fz[k];
    const real v2 = s.vx[k] * s.vx[k] + s.vy[k] * s.vy[k] + s.vz[k] * s.vz[k];
    real score = f2 + v2;
    if (!std::isfinite(score) || !std::isfinite(s.x[k] + s.y[k] + s.z[k])) score = 1e308;
    if (score > mine.value) {
      mine.value = score;
      wi = i;
    }
  }
  const mpi::DoubleInt worst = mpi::allreduce(mine, MPI_MAXLOC, comm);
  std::string msg;
  if (mine.rank == worst.rank && wi >= 0) {
    const auto k = static_cast<std::size_t>(wi);
    std::ostringstream m;
    m << "numerical blow-up: non-finite energy at step " << s.step << " (pe = " << row.pe
      << ", press = " << row.press << "); the worst atom is id " << s.id[k] << " at (" << s.x[k]
      << ", " << s.y[k] << ", " << s.z[k] << ") with force (" << s.fx[k] << ", " << s.fy[k] << ", "
      << s.fz[k] << "). Check for overlapping atoms (init.min_distance) or reduce integrator.dt";
    msg = m.str();
  }
  msg = mpi::broadcast_string(msg, comm, worst.rank);
  if (msg.empty()) msg = "numerical blow-up: non-finite energy at step " + std::to_string(s.step);
  throw RunError(msg);
}

RunReport Engine::report() const {
  RunReport r;
  const mpi::Comm c(ctx_->comm);
  const int nranks = c.size();
  r.ranks = nranks;
  r.threads = exec_.threads();
  r.scheduler = std::string(exec_.describe());
  r.grid = grid_.dims;
  r.steps = loop_steps_;
  r.atoms = sys_.natoms;
  r.dt = sys_.dt;
  r.loop_time = mpi::allreduce(loop_time_, MPI_MAX, c);
  if (r.loop_time > 0) {
    r.steps_per_s = static_cast<real>(r.steps) / r.loop_time;
    r.atom_steps_per_s = r.steps_per_s * static_cast<real>(r.atoms);
    r.tau_per_day = r.steps_per_s * r.dt * 86400.0;
  }
  std::array<double, kSections> t = time_;
  double busy = 0;
  for (int k = 0; k < kSections; ++k)
    if (k != kOther) busy += t[static_cast<std::size_t>(k)];
  t[kOther] = std::max(0.0, loop_time_ - busy);
  // Setup work (first build, step-0 forces) is not part of the loop; the
  // section times are accumulated over the whole lifetime, so scale only the
  // loop: report loop sections as measured inside advance().
  auto stat = [&](double v) {
    TimeStat s;
    s.min = mpi::allreduce(v, MPI_MIN, c);
    s.max = mpi::allreduce(v, MPI_MAX, c);
    s.avg = mpi::allreduce(v, MPI_SUM, c) / nranks;
    return s;
  };
  for (int k = 0; k < kSections; ++k)
    r.sections[static_cast<std::size_t>(k)] = stat(t[static_cast<std::size_t>(k)]);
  const TimeStat work = stat(t[kPair] + t[kNeigh]);
  r.load_imbalance = work.avg > 0 ? work.max / work.avg : 1.0;
  r.nlocal = stat(static_cast<double>(sys_.nlocal));
  r.nghost = stat(static_cast<double>(sys_.nghost));
  const std::int64_t pairs = neighbor_->list().pairs();
  r.neighbors = stat(static_cast<double>(pairs));
  r.total_neighbors = mpi::allreduce(static_cast<long long>(pairs), MPI_SUM, c);
  r.neighbor_builds = builds_;
  r.dangerous_builds = dangerous_;
  r.dangerous_checked = cfg_.neighbor.check;
  r.overlapped_steps = overlap_.steps;
  long long ov[4] = {overlap_.pairs, overlap_.interior, overlap_.early, overlap_.late};
  long long og[4] = {0, 0, 0, 0};
  mpi::allreduce(ov, og, 4, MPI_SUM, c);
  if (og[0] > 0) {
    r.interior_share = static_cast<real>(og[1]) / static_cast<real>(og[0]);
    r.early_share = static_cast<real>(og[2]) / static_cast<real>(og[0]);
    r.late_share = static_cast<real>(og[3]) / static_cast<real>(og[0]);
  }
  r.last = last_;
  return r;
}

Snapshot Engine::snapshot() const {
  const System& s = sys_;
  const auto n = static_cast<std::ptrdiff_t>(s.nlocal);
  Snapshot snap;
  snap.id.assign(s.id.begin(), s.id.begin() + n);
  snap.type.assign(s.type.begin(), s.type.begin() + n);
  snap.x.assign(s.x.begin(), s.x.begin() + n);
  snap.y.assign(s.y.begin(), s.y.begin() + n);
  snap.z.assign(s.z.begin(), s.z.begin() + n);
  snap.vx.assign(s.vx.begin(), s.vx.begin() + n);
  snap.vy.assign(s.vy.begin(), s.vy.begin() + n);
  snap.vz.assign(s.vz.begin(), s.vz.begin() + n);
  snap.imx.assign(s.imx.begin(), s.imx.begin() + n);
  snap.imy.assign(s.imy.begin(), s.imy.begin() + n);
  snap.imz.assign(s.imz.begin(), s.imz.begin() + n);
  snap.xhold = xhold_;
  snap.yhold = yhold_;
  snap.zhold = zhold_;
  snap.step = s.step;
  snap.ago = ago_;
  snap.builds = builds_;
  snap.dangerous = dangerous_;
  snap.integrator = integrator_->state();
  snap.box = s.box;
  snap.mass = s.mass;
  snap.natoms = s.natoms;
  snap.grid = grid_.dims;
  snap.exact = true;
  return snap;
}

// restore() continues from a checkpoint. With the same layout the owned
// atoms come back in the same order at their positions of the last build,
// so migration and the (stable) bin sort change nothing and the ghosts and
// neighbor lists are those the uninterrupted run built; then the current
// positions are forwarded and the run continues bit-identically. On another
// layout the atoms are migrated from their current positions and a fresh
// build is made (agreement to rounding).
void Engine::restore(const Snapshot& snap) {
  System& s = sys_;
  Context& ctx = *ctx_;
  s.box = snap.box;
  setup_types(snap.mass.empty() ? std::vector<real>(cfg_.species.size() + 1, 1.0) : snap.mass);
  if (snap.mass.empty())
    for (std::size_t t = 0; t < cfg_.species.size(); ++t) s.mass[t + 1] = cfg_.species[t].mass;
  place_subdomains();
  s.step = snap.step;
  s.natoms = snap.natoms;
  const bool exact = snap.exact && snap.grid == grid_.dims && snap.xhold.size() == snap.x.size();
  s.nlocal = 0;
  s.nghost = 0;
  for (std::size_t i = 0; i < snap.id.size(); ++i) {
    const real px = exact ? snap.xhold[i] : snap.x[i], py = exact ? snap.yhold[i] : snap.y[i],
               pz = exact ? snap.zhold[i] : snap.z[i];
    s.push_owned(snap.id[i], snap.type[i], px, py, pz, snap.vx[i], snap.vy[i], snap.vz[i],
                 snap.imx[i], snap.imy[i], snap.imz[i]);
  }
  force_->init(ctx);
  skin_ = cfg_.neighbor.skin;
  std::vector<real> cutneigh = force_->cutoffs();
  for (real& c : cutneigh) c += skin_;
  neighbor_->setup(ctx, cutneigh, force_->max_cutoff() + skin_);
  rebuild();  // at the positions of the last build: the same lists and ghosts
  ago_ = 0;
  if (exact) {
    for (std::size_t i = 0; i < snap.id.size(); ++i) {
      s.x[i] = snap.x[i];
      s.y[i] = snap.y[i];
      s.z[i] = snap.z[i];
    }
    comm_->forward(ctx);
    ago_ = snap.ago;
  }
  builds_ = snap.builds;
  dangerous_ = snap.dangerous;
  force(true);
  integrator_->restore(ctx, snap.integrator);
}

// ------------------------------------------------------------ Simulation

Simulation::Simulation(const Config& config, go::Executor& exec, MPI_Comm comm)
    : engine_(std::make_unique<Engine>(config, exec, comm)) {}
Simulation::Simulation(const Config& config, go::Executor& exec, MPI_Comm comm, Snapshot snapshot)
    : engine_(std::make_unique<Engine>(config, exec, comm)) {
  engine_->restart_from(std::move(snapshot));
}
Simulation::~Simulation() = default;
Snapshot Simulation::snapshot() const { return engine_->snapshot(); }
void Simulation::setup(const RunHooks& hooks) { engine_->setup(hooks); }
void Simulation::advance(std::int64_t steps, const RunHooks& hooks) {
  engine_->advance(steps, hooks);
}
void Simulation::step(bool thermo, const RunHooks& hooks) { engine_->step(thermo, hooks); }
const ThermoRow& Simulation::last_thermo() const { return engine_->last_thermo(); }
ThermoRow Simulation::thermo() { return engine_->thermo(); }
RunReport Simulation::report() const { return engine_->report(); }
const System& Simulation::system() const { return engine_->system(); }
std::vector<weft::go::TaskRecord> Simulation::task_trace() const { return engine_->task_trace(); }
std::vector<real> Simulation::integrator_state() const { return engine_->integrator_state(); }

RunReport run(const Config& config, go::Executor& exec, MPI_Comm comm, const RunHooks& hooks) {
  Simulation sim(config, exec, comm);
  sim.setup(hooks);
  sim.advance(config.run.steps, hooks);
  return sim.report();
}

}  // namespace weft::md
