// SPDX-License-Identifier: Apache-2.0
// Langevin thermostat on top of velocity Verlet, in the form of LAMMPS fix
// langevin: f += -m/damp v + sqrt(24 kT m/(damp dt)) (u - 1/2), with u
// uniform in (0,1). The random numbers are counter-based, keyed by
// (seed, atom id, step, component), so the trajectory does not depend on the
// decomposition and the only state to checkpoint is the step.
#include <cmath>

#include "integrate_common.hpp"
#include "rng.hpp"
#include "weft/md/integrators.hpp"

namespace weft::md {
namespace {

class Langevin final : public Integrator {
 public:
  void initial(Context& ctx) override {
    detail::half_kick(ctx);
    detail::drift(ctx);
  }
  void post_force(Context& ctx) override {
    System& s = ctx.sys;
    const LangevinParams ic =
        ctx.cfg.integrator.params.value<LangevinParams>(ctx.cfg.integrator.style);
    const real damp = ic.damping;
    const auto seed = ic.seed;
    const auto step = static_cast<std::uint64_t>(s.step);
    for (index i = 0; i < s.nlocal; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const real m = s.mass[static_cast<std::size_t>(s.type[k])];
      const real gamma1 = -m / damp;
      const real gamma2 = std::sqrt(m) * std::sqrt(24.0 / damp / s.dt) * std::sqrt(ic.temperature);
      const auto aid = static_cast<std::uint64_t>(s.id[k]);
      s.fx[k] += gamma1 * s.vx[k] + gamma2 * (detail::uniform01(seed, aid, step, 0) - 0.5);
      s.fy[k] += gamma1 * s.vy[k] + gamma2 * (detail::uniform01(seed, aid, step, 1) - 0.5);
      s.fz[k] += gamma1 * s.vz[k] + gamma2 * (detail::uniform01(seed, aid, step, 2) - 0.5);
    }
  }
  void final(Context& ctx) override { detail::half_kick(ctx); }
};

}  // namespace

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
IntegratorStyle integrator_langevin() {
  return {.make = []() -> std::unique_ptr<Integrator> { return std::make_unique<Langevin>(); },
          .declare = [](const Declarer& when, const std::string& name) {
            using C = Config;
            auto p = [name](C& c) -> LangevinParams& {
              return c.integrator.params.get<LangevinParams>(name);
            };
            when.key("integrator.temperature", [p](C& c) -> auto& { return p(c).temperature; },
                     "Target temperature of the Langevin thermostat")
                .unit("epsilon/k_B")
                .above(0);
            when.key("integrator.damping", [p](C& c) -> auto& { return p(c).damping; },
                     "Langevin damping time")
                .unit("tau")
                .above(0);
            when.key("integrator.seed", [p](C& c) -> auto& { return p(c).seed; },
                     "Random seed of the Langevin forces (the same seed gives the same run on "
                     "any number of ranks)")
                .min(1);
          }};
}

// clang-format on

}  // namespace weft::md
