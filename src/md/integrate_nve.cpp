// SPDX-License-Identifier: Apache-2.0
// NVE velocity Verlet (LAMMPS fix nve).
#include "integrate_common.hpp"

namespace weft::md {
namespace {

class Nve final : public Integrator {
 public:
  void initial(Context& ctx) override {
    detail::half_kick(ctx);
    detail::drift(ctx);
  }
  void final(Context& ctx) override { detail::half_kick(ctx); }
};

}  // namespace

IntegratorStyle integrator_nve() {
  return {.make = []() -> std::unique_ptr<Integrator> { return std::make_unique<Nve>(); },
          .declare = nullptr};
}

}  // namespace weft::md
