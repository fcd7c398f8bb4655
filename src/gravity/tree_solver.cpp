// SPDX-License-Identifier: Apache-2.0
// The tree solver: Barnes-Hut forces from weft_gravity_tree, on one of
// three domains (gravity.domain):
//   let, cache: the particles are split along the Morton curve of their
//     common cube by measured work (decompose.hpp); each rank builds the
//     tree of its own particles and walks it, reading other ranks' nodes
//     from a remote-node cache (DistributedTree) that "let" fills ahead of
//     the walks with the locally essential tree of every other rank and
//     "cache" fills on demand, the walks parked on weft::go fibers while a
//     reply is on its way;
//   replicated: every rank gathers all positions and masses
//     (MPI_Allgatherv), builds the whole tree and walks it for its own
//     particles; memory and traffic grow with N on every rank.
// docs/gravity.md compares the two.
#include "tree_solver.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "decompose.hpp"
#include "weft/gravity/distributed_tree.hpp"
#include "weft/gravity/softening.hpp"
#include "weft/gravity/tree.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

TreeConfig tree_config(const GravityConfig& c) {
  TreeConfig t;
  t.opening = c.opening == "relative" ? Opening::relative : Opening::barnes_hut;
  t.theta = c.theta;
  t.tolerance = c.tolerance;
  t.quadrupole = c.quadrupole;
  t.leaf_size = c.leaf_size;
  t.single_precision = c.precision == "single";
  return t;
}

class TreeSolver final : public ForceSolver {
 public:
  explicit TreeSolver(const GravityConfig& c)
      : c_(c),
        soft_{c.softening == "plummer" ? SofteningKind::plummer : SofteningKind::spline, c.epsilon},
        tree_(tree_config(c)),
        dtree_(tree_config(c), c.domain == "let") {}

  ForceWork compute(Particles& p, MPI_Comm comm, go::Executor& exec, int min_level) override {
    const auto t0 = std::chrono::steady_clock::now();
    const mpi::Comm world(comm);
    // The relative criterion needs |a| of the previous step: p.acc holds it
    // on entry (also after a restart: it is checkpointed). Before the first
    // computation it is 0, and the tree uses Barnes-Hut, as Gadget does.
    auto old_accelerations = [&] {
      old_.clear();
      if (c_.opening == "relative") {
        old_.resize(p.size());
        for (std::size_t k = 0; k < p.size(); ++k) old_[k] = p.acc[k].norm();
      }
    };
    // active_ (block time steps): the targets' flags, after any migration.
    auto targets = [&] {
      active_.clear();
      if (min_level > 0) {
        active_.resize(p.size());
        for (std::size_t k = 0; k < p.size(); ++k) active_[k] = p.active(k, min_level) ? 1 : 0;
      }
      cost_.assign(p.size(), 0);
    };
    // The split of the curve is revised only when every particle is a
    // target: the work weights are then of one computation.
    const bool may_split = min_level <= 0;
    WalkStats stats;
    if (c_.domain != "replicated") {
      stats = distributed(p, world, exec, may_split, [&] {
        targets();
        old_accelerations();
      });
    } else {
      if (world.size() > 1 && may_split && rebalance_due(p, world)) {
        decompose(p, world);
        ++decompositions_;
      }
      const std::size_t n = p.size();
      // Vec3 is three packed doubles (Eigen::Vector3d, no padding).
      static_assert(sizeof(Vec3) == 3 * sizeof(double));
      const std::vector<double> xyz = mpi::allgatherv(reinterpret_cast<const double*>(p.pos.data()),
                                                      static_cast<int>(3 * n), world);
      const std::vector<double> mass = mpi::allgatherv(p.mass.data(), static_cast<int>(n), world);
      const std::span<const Vec3> all(reinterpret_cast<const Vec3*>(xyz.data()), mass.size());
      self_.resize(n);
      for (std::size_t k = 0; k < n; ++k) self_[k] = p.offset + static_cast<std::int64_t>(k);
      targets();
      old_accelerations();
      exec.run([&] {
        tree_.build(all, mass, exec.threads());
        stats = tree_.accelerations(p.pos, self_, old_, soft_, c_.G, p.acc, p.pot, exec.threads(),
                                    cost_, active_);
      });
    }
    // A target's weight is its work per block of dt_max: its interactions
    // times how often it is a target, 2^level (Gadget-2's weights; level 0
    // with a global step). Particles that were not targets keep theirs.
    for (std::size_t k = 0; k < p.size(); ++k)
      if (p.active(k, min_level)) p.work[k] = std::ldexp(double(cost_[k]), p.level[k]);
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    return {stats.node_interactions + stats.particle_interactions, stats.targets, dt.count()};
  }

  std::string describe() const override {
    std::string d =
        c_.opening == "relative"
            ? fmt::format("Barnes-Hut tree, relative criterion {} ({}, {} softening)", c_.tolerance,
                          c_.quadrupole ? "quadrupole" : "monopole", c_.softening)
            : fmt::format("Barnes-Hut tree, theta {} ({}, {} softening)", c_.theta,
                          c_.quadrupole ? "quadrupole" : "monopole", c_.softening);
    if (decompositions_ > 0)
      d += fmt::format("; {} domain, particles split along the Morton curve by work {} times",
                       c_.domain, decompositions_);
    if (c_.domain != "replicated" && computations_ > 0 && ranks_ > 1) {
      const double per = 1.0 / double(computations_);
      d += fmt::format(
          "; remote-node cache per computation on this rank: {:.0f} nodes fetched, hit rate "
          "{:.3f}, {:.3g} MB received, {:.0f} requests served, {:.3g} s parked (summed over "
          "walks), {:.3g} MB sent ahead, {} top cells; {:.3g} s exchanging ahead, {:.3g} s "
          "walking, {:.3g} s waiting for the other ranks",
          double(cache_.requests) * per, cache_.hit_rate(), double(cache_.bytes) * per / 1e6,
          double(cache_.served) * per, cache_.parked_seconds * per,
          double(cache_.ahead_bytes) * per / 1e6, cache_.top_cells, cache_.ahead_seconds * per,
          cache_.walk_seconds * per, cache_.wait_seconds * per);
    }
    return d;
  }

 private:
  // rebalance_due() says whether to split the curve again: before the first
  // computation (no work yet) and whenever the last one was out of balance.
  bool rebalance_due(const Particles& p, const mpi::Comm& world) const {
    const double imbalance = work_imbalance(p, world);
    return imbalance == 0.0 || imbalance > 1.0 + c_.rebalance;
  }

  // distributed(): the let and cache domains; prepare() sets the targets
  // and old accelerations once the particles are on their ranks.
  template <class Prepare>
  WalkStats distributed(Particles& p, const mpi::Comm& world, go::Executor& exec, bool may_split,
                        Prepare prepare) {
    ranks_ = world.size();
    const Cube cube = global_cube(p, world);
    if (world.size() == 1) {
      p.stretches = {0, kEndOfCurve};
    } else {
      if (p.stretches.size() != static_cast<std::size_t>(world.size()) + 1 ||
          (may_split && rebalance_due(p, world))) {
        p.stretches = cut_curve(p, cube, world);
        ++decompositions_;
      }
      migrate(p, cube, p.stretches, world);
    }
    prepare();
    // Walks park while a remote node is fetched: they need fibers, whatever
    // runs the rank's other kernels.
    go::Executor* fibers = &exec;
    if (exec.scheduler() != go::Scheduler::fibers) {
      if (!own_fibers_ || own_fibers_->threads() != exec.threads())
        own_fibers_ = std::make_unique<go::Executor>(
            go::ExecutorConfig{.scheduler = go::Scheduler::fibers, .threads = exec.threads()});
      fibers = own_fibers_.get();
    }
    WalkStats stats;
    fibers->run([&] {
      dtree_.build(p.pos, p.mass, cube, p.stretches, world, fibers->threads());
      stats = dtree_.accelerations(p.pos, old_, soft_, c_.G, p.acc, p.pot, cost_, fibers->threads(),
                                   active_);
    });
    cache_ += dtree_.cache();
    ++computations_;
    return stats;
  }

  GravityConfig c_;
  Softening soft_;
  Tree tree_;
  DistributedTree dtree_;
  std::unique_ptr<go::Executor> own_fibers_;
  std::vector<std::int64_t> self_;
  std::vector<double> old_;
  std::vector<std::int32_t> cost_;
  std::vector<char> active_;
  std::int64_t decompositions_ = 0, computations_ = 0;
  int ranks_ = 1;
  CacheStats cache_;  // summed over computations
};

}  // namespace

std::unique_ptr<ForceSolver> make_tree(const GravityConfig& c) {
  return std::make_unique<TreeSolver>(c);
}

}  // namespace weft::gravity
