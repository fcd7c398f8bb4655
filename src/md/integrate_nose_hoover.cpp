// SPDX-License-Identifier: Apache-2.0
// NVT with a Nose-Hoover chain thermostat, following LAMMPS fix nvt
// (FixNH::nhc_temp_integrate, Martyna-Tuckerman-Klein; one chain loop,
// no drag): the chain is propagated for dt/2 before and after the
// velocity-Verlet update, chain masses Q0 = dof kT/w^2, Qk = kT/w^2 with
// w = 1/damping.
#include <cmath>

#include "integrate_common.hpp"
#include "weft/core/error.hpp"
#include "weft/md/integrators.hpp"

namespace weft::md {
namespace {

class NoseHoover final : public Integrator {
 public:
  void setup(Context& ctx) override {
    const NoseHooverParams ic =
        ctx.cfg.integrator.params.value<NoseHooverParams>(ctx.cfg.integrator.style);
    m_ = std::max(1, ic.chain);
    eta_.assign(static_cast<std::size_t>(m_), 0);
    eta_dot_.assign(static_cast<std::size_t>(m_) + 1, 0);
    eta_dotdot_.assign(static_cast<std::size_t>(m_), 0);
    eta_mass_.assign(static_cast<std::size_t>(m_), 0);
    t_target_ = ic.temperature;
    t_freq_ = 1.0 / ic.damping;
    tdof_ = dof(ctx);
    masses();
    for (int ich = 1; ich < m_; ++ich) {
      const auto k = static_cast<std::size_t>(ich);
      eta_dotdot_[k] =
          (eta_mass_[k - 1] * eta_dot_[k - 1] * eta_dot_[k - 1] - t_target_) / eta_mass_[k];
    }
    t_current_ = tdof_ > 0 ? kinetic_sum(ctx) / tdof_ : 0;
  }
  void initial(Context& ctx) override {
    chain(ctx);
    detail::half_kick(ctx);
    detail::drift(ctx);
  }
  void final(Context& ctx) override {
    detail::half_kick(ctx);
    t_current_ = tdof_ > 0 ? kinetic_sum(ctx) / tdof_ : 0;
    chain(ctx);
  }
  // state(): eta, eta_dot, eta_dotdot (m each) and the current temperature.
  std::vector<real> state() const override {
    std::vector<real> out = eta_;
    out.insert(out.end(), eta_dot_.begin(), eta_dot_.end() - 1);
    out.insert(out.end(), eta_dotdot_.begin(), eta_dotdot_.end());
    out.push_back(t_current_);
    return out;
  }
  void restore(Context& ctx, const std::vector<real>& state) override {
    setup(ctx);
    const auto m = static_cast<std::size_t>(m_);
    if (state.size() != 3 * m + 1)
      throw InputError("the checkpoint's Nose-Hoover state has " + std::to_string(state.size()) +
                       " values, expected " + std::to_string(3 * m + 1) +
                       " for integrator.chain = " + std::to_string(m_));
    std::copy(state.begin(), state.begin() + m_, eta_.begin());
    std::copy(state.begin() + m_, state.begin() + 2 * m_, eta_dot_.begin());
    std::copy(state.begin() + 2 * m_, state.begin() + 3 * m_, eta_dotdot_.begin());
    t_current_ = state[3 * m];
  }

 private:
  int m_ = 3;
  std::vector<real> eta_, eta_dot_, eta_dotdot_, eta_mass_;
  real t_target_ = 1, t_freq_ = 2, tdof_ = 0, t_current_ = 0;

  void masses() {
    eta_mass_[0] = tdof_ * t_target_ / (t_freq_ * t_freq_);
    for (int ich = 1; ich < m_; ++ich)
      eta_mass_[static_cast<std::size_t>(ich)] = t_target_ / (t_freq_ * t_freq_);
  }

  void chain(Context& ctx) {
    const real dt = ctx.sys.dt;
    const real dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
    const real ke_target = tdof_ * t_target_;
    real kecurrent = tdof_ * t_current_;
    masses();
    eta_dotdot_[0] = eta_mass_[0] > 0 ? (kecurrent - ke_target) / eta_mass_[0] : 0;
    auto u = [](int k) { return static_cast<std::size_t>(k); };
    for (int ich = m_ - 1; ich > 0; --ich) {
      const real expfac = std::exp(-dt8 * eta_dot_[u(ich + 1)]);
      eta_dot_[u(ich)] *= expfac;
      eta_dot_[u(ich)] += eta_dotdot_[u(ich)] * dt4;
      eta_dot_[u(ich)] *= expfac;
    }
    real expfac = std::exp(-dt8 * eta_dot_[1]);
    eta_dot_[0] *= expfac;
    eta_dot_[0] += eta_dotdot_[0] * dt4;
    eta_dot_[0] *= expfac;
    const real factor_eta = std::exp(-dthalf * eta_dot_[0]);
    detail::scale_velocities(ctx, factor_eta);
    t_current_ *= factor_eta * factor_eta;
    kecurrent = tdof_ * t_current_;
    eta_dotdot_[0] = eta_mass_[0] > 0 ? (kecurrent - ke_target) / eta_mass_[0] : 0;
    for (int ich = 0; ich < m_; ++ich) eta_[u(ich)] += dthalf * eta_dot_[u(ich)];
    eta_dot_[0] *= expfac;
    eta_dot_[0] += eta_dotdot_[0] * dt4;
    eta_dot_[0] *= expfac;
    for (int ich = 1; ich < m_; ++ich) {
      expfac = std::exp(-dt8 * eta_dot_[u(ich + 1)]);
      eta_dot_[u(ich)] *= expfac;
      eta_dotdot_[u(ich)] =
          (eta_mass_[u(ich - 1)] * eta_dot_[u(ich - 1)] * eta_dot_[u(ich - 1)] - t_target_) /
          eta_mass_[u(ich)];
      eta_dot_[u(ich)] += eta_dotdot_[u(ich)] * dt4;
      eta_dot_[u(ich)] *= expfac;
    }
  }
};

}  // namespace

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
IntegratorStyle integrator_nose_hoover() {
  return {.make = []() -> std::unique_ptr<Integrator> { return std::make_unique<NoseHoover>(); },
          .declare = [](const Declarer& when, const std::string& name) {
            using C = Config;
            auto p = [name](C& c) -> NoseHooverParams& {
              return c.integrator.params.get<NoseHooverParams>(name);
            };
            when.key("integrator.temperature", [p](C& c) -> auto& { return p(c).temperature; },
                     "Target temperature of the Nose-Hoover chain")
                .unit("epsilon/k_B")
                .above(0);
            when.key("integrator.damping", [p](C& c) -> auto& { return p(c).damping; },
                     "Relaxation time of the thermostat (LAMMPS Tdamp)")
                .unit("tau")
                .above(0);
            when.key("integrator.chain", [p](C& c) -> auto& { return p(c).chain; },
                     "Nose-Hoover chain length")
                .min(1)
                .max(10);
          }};
}

// clang-format on

}  // namespace weft::md
