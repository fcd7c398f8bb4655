// SPDX-License-Identifier: Apache-2.0
// The tree solver: Barnes-Hut forces from weft_gravity_tree. Every rank
// gathers all positions and masses (MPI_Allgatherv, in the global order),
// builds the whole tree and walks it for its own particles: a replicated
// tree, exact in its communication (no node is approximated for being
// remote) and simple; its memory and traffic grow with N on every rank,
// which suits up to ~10^7 particles on a node. The distributed tree with a
// remote-node cache (issue 12) replaces the gather; docs/gravity.md.
#include "tree_solver.hpp"

#include <fmt/format.h>

#include <chrono>

#include "decompose.hpp"
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
  return t;
}

class TreeSolver final : public ForceSolver {
 public:
  explicit TreeSolver(const GravityConfig& c)
      : c_(c),
        soft_{c.softening == "plummer" ? SofteningKind::plummer : SofteningKind::spline, c.epsilon},
        tree_(tree_config(c)) {}

  ForceWork compute(Particles& p, MPI_Comm comm, go::Executor& exec) override {
    const auto t0 = std::chrono::steady_clock::now();
    const mpi::Comm world(comm);
    if (world.size() > 1) {
      // Along the curve with equal work before the first computation (no
      // work yet) and whenever the last one was out of balance.
      const double imbalance = work_imbalance(p, world);
      if (imbalance == 0.0 || imbalance > 1.0 + c_.rebalance) {
        decompose(p, world);
        ++decompositions_;
      }
    }
    const std::size_t n = p.size();
    // Vec3 is three packed doubles (Eigen::Vector3d, no padding).
    static_assert(sizeof(Vec3) == 3 * sizeof(double));
    const std::vector<double> xyz = mpi::allgatherv(reinterpret_cast<const double*>(p.pos.data()),
                                                    static_cast<int>(3 * n), world);
    const std::vector<double> mass = mpi::allgatherv(p.mass.data(), static_cast<int>(n), world);
    const std::span<const Vec3> all(reinterpret_cast<const Vec3*>(xyz.data()), mass.size());
    self_.resize(n);
    cost_.resize(n);
    for (std::size_t k = 0; k < n; ++k) self_[k] = p.offset + static_cast<std::int64_t>(k);
    // The relative criterion needs |a| of the previous step: p.acc holds it
    // on entry (also after a restart: it is checkpointed). Before the first
    // computation it is 0, and the tree uses Barnes-Hut, as Gadget does.
    old_.clear();
    if (c_.opening == "relative") {
      old_.resize(n);
      for (std::size_t k = 0; k < n; ++k) old_[k] = p.acc[k].norm();
    }
    WalkStats stats;
    exec.run([&] {
      tree_.build(all, mass, exec.threads());
      stats =
          tree_.accelerations(p.pos, self_, old_, soft_, c_.G, p.acc, p.pot, exec.threads(), cost_);
    });
    for (std::size_t k = 0; k < n; ++k) p.work[k] = cost_[k];
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    return {stats.node_interactions + stats.particle_interactions, dt.count()};
  }

  std::string describe() const override {
    std::string d =
        c_.opening == "relative"
            ? fmt::format("Barnes-Hut tree, relative criterion {} ({}, {} softening)", c_.tolerance,
                          c_.quadrupole ? "quadrupole" : "monopole", c_.softening)
            : fmt::format("Barnes-Hut tree, theta {} ({}, {} softening)", c_.theta,
                          c_.quadrupole ? "quadrupole" : "monopole", c_.softening);
    if (decompositions_ > 0)
      d +=
          fmt::format("; particles split along the Morton curve by work {} times", decompositions_);
    return d;
  }

 private:
  GravityConfig c_;
  Softening soft_;
  Tree tree_;
  std::vector<std::int64_t> self_;
  std::vector<double> old_;
  std::vector<std::int32_t> cost_;
  std::int64_t decompositions_ = 0;
};

}  // namespace

std::unique_ptr<ForceSolver> make_tree(const GravityConfig& c) {
  return std::make_unique<TreeSolver>(c);
}

}  // namespace weft::gravity
