// SPDX-License-Identifier: Apache-2.0
// Individual power-of-two block time steps (steps.hpp): the block loop, the
// level choice with Gadget's criterion and the synchronisation rule, and the
// report's block-step lines.
#include "steps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "weft/go/blocks.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

// for_particles() runs fn(i, worker) for every particle i of p, threaded.
template <class F>
void for_particles(const Particles& p, go::Executor& exec, F&& fn) {
  exec.run([&] {
    go::parallel_range(exec.threads(), static_cast<std::int64_t>(p.size()),
                       [&](std::int64_t b, std::int64_t e, int worker) {
                         for (auto i = static_cast<std::size_t>(b); i < static_cast<std::size_t>(e);
                              ++i)
                           fn(i, worker);
                       });
  });
}

}  // namespace

int wanted_level(double a, const TimestepConfig& t, double epsilon, bool& capped) {
  capped = false;
  if (!(a > 0)) return 0;
  const double dt = std::sqrt(2 * t.eta * epsilon / a);
  int k = 0;
  while (k < t.max_level && std::ldexp(t.dt_max, -k) > dt) ++k;
  capped = std::ldexp(t.dt_max, -k) > dt;
  return k;
}

void BlockSteps::begin(Particles& p, std::int64_t tick, int min_level, go::Executor& exec) {
  std::vector<std::int64_t> capped(static_cast<std::size_t>(std::max(1, exec.threads())), 0);
  for_particles(p, exec, [&](std::size_t i, int worker) {
    if (!p.active(i, min_level)) return;
    bool cap = false;
    int k = wanted_level(p.acc[i].norm(), t_, epsilon_, cap);
    // A larger step only if this tick is one of its boundaries.
    while (k < p.level[i] && tick % (std::int64_t{1} << (t_.max_level - k)) != 0) ++k;
    p.level[i] = k;
    p.vel[i] += half(k) * p.acc[i];
    capped[static_cast<std::size_t>(worker)] += cap ? 1 : 0;
  });
  for (const std::int64_t c : capped) capped_ += c;
}

void BlockSteps::end(Particles& p, int min_level, go::Executor& exec) {
  for_particles(p, exec, [&](std::size_t i, int) {
    if (p.active(i, min_level)) p.vel[i] += half(p.level[i]) * p.acc[i];
  });
}

void BlockSteps::advance(Particles& p, MPI_Comm comm, go::Executor& exec, const Forces& forces) {
  const mpi::Comm world(comm);
  const int deepest = t_.max_level;
  const std::int64_t block = std::int64_t{1} << deepest;  // ticks in dt_max
  const double tick_length = std::ldexp(t_.dt_max, -deepest);
  std::int64_t tick = 0;
  begin(p, tick, 0, exec);
  while (tick < block) {
    // The next tick at which some step ends: that of the deepest level.
    int local = 0;
    for (const std::int32_t k : p.level) local = std::max(local, static_cast<int>(k));
    const std::int64_t shortest = std::int64_t{1}
                                  << (deepest - mpi::allreduce(local, MPI_MAX, world));
    const std::int64_t next = (tick / shortest + 1) * shortest;
    const double dt = static_cast<double>(next - tick) * tick_length;
    for_particles(p, exec, [&](std::size_t i, int) { p.pos[i] += dt * p.vel[i]; });
    tick = next;
    // Active: the particles whose step length divides `tick`, i.e. level >=
    // deepest - (trailing zero bits of tick); all of them at the block's end.
    const int min_level =
        tick == block ? 0 : deepest - std::countr_zero(static_cast<std::uint64_t>(tick));
    evaluations_ += forces(min_level);
    ++substeps_;
    end(p, min_level, exec);
    if (tick < block) begin(p, tick, min_level, exec);
  }
  ++blocks_;
}

std::string BlockSteps::report(const Particles& p, MPI_Comm comm) const {
  const mpi::Comm world(comm);
  std::vector<std::int64_t> local(static_cast<std::size_t>(t_.max_level) + 1, 0);
  for (const std::int32_t k : p.level) ++local[static_cast<std::size_t>(k)];
  std::vector<std::int64_t> levels(local.size());
  mpi::allreduce(local.data(), levels.data(), static_cast<int>(local.size()), MPI_SUM, world);
  const std::int64_t all = mpi::allreduce(evaluations_, MPI_SUM, world);
  const std::int64_t capped = mpi::allreduce(capped_, MPI_SUM, world);
  const std::int64_t global = p.total * substeps_;
  std::string histogram;
  for (std::size_t k = 0; k < levels.size(); ++k)
    if (levels[k] > 0) histogram += fmt::format(" {}:{}", k, levels[k]);
  return fmt::format(
      "block steps: {} blocks of dt_max {}, {} sub-steps; {} force evaluations against {} for a "
      "global step of the smallest size taken ({:.3f} of it); levels now (k: particles; step "
      "dt_max/2^k):{}; {} step choices wanted less than dt_max/2^{}",
      blocks_, t_.dt_max, substeps_, all, global,
      global > 0 ? static_cast<double>(all) / static_cast<double>(global) : 1.0, histogram, capped,
      t_.max_level);
}

}  // namespace weft::gravity
