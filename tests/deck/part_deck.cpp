// SPDX-License-Identifier: Apache-2.0
// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
#include "part_deck.hpp"

namespace weft::deck_test {
namespace {
using deck::RuleContext;
using deck::Schema;

Schema<Common> common_schema() {
  using C = Common;
  Schema<C> s;
  s.key("run.steps", [](C& c) -> auto& { return c.run.steps; }, "Steps").min(0);
  s.key("run.dt", [](C& c) -> auto& { return c.run.dt; }, "Step").unit("tau").above(0);
  s.key("output.dir", [](C& c) -> auto& { return c.dir; }, "Output directory");
  s.rule([](const C& c, RuleContext& r) {
    if (c.run.steps == 0 && r.given("run.dt")) r.error("run.dt", "run.dt is unused with 0 steps");
  });
  return s;
}

Schema<LjCoeff> lj_coeff_schema() {
  Schema<LjCoeff> s;
  s.key("types", [](LjCoeff& x) -> auto& { return x.types; }, "Types").min(1).required();
  s.key("epsilon", [](LjCoeff& x) -> auto& { return x.epsilon; }, "Well depth").min(0);
  s.key("sigma", [](LjCoeff& x) -> auto& { return x.sigma; }, "Zero crossing").above(0);
  s.rule([](const LjCoeff&, RuleContext& r) {
    if (r.given("sigma") && !r.given("epsilon"))
      r.error("sigma", r.path("sigma") + " needs " + r.path("epsilon"));
  });
  return s;
}

Schema<MorseCoeff> morse_coeff_schema() {
  using M = MorseCoeff;
  Schema<M> s;
  s.key("types", [](M& x) -> auto& { return x.types; }, "Types").min(1).required();
  s.key("d0", [](M& x) -> auto& { return x.d0; }, "Well depth").above(0);
  s.key("alpha", [](M& x) -> auto& { return x.alpha; }, "Width").above(0);
  s.key("r0", [](M& x) -> auto& { return x.r0; }, "Equilibrium distance").above(0);
  s.key("cutoff", [](M& x) -> auto& { return x.cutoff; }, "Cutoff; 0: pair.cutoff").min(0);
  return s;
}

// The morse keys as a part of their own, included into the pair part.
Schema<Morse> morse_schema() {
  Schema<Morse> s;
  s.key("shift", [](Morse& m) -> auto& { return m.shift; }, "Shift energies to zero at the cutoff");
  s.table_array("coeff", [](Morse& m) -> auto& { return m.coeffs; }, morse_coeff_schema(),
                "Morse parameters per pair of types");
  s.rule([](const Morse& m, RuleContext& r) {
    for (std::size_t k = 0; k < m.coeffs.size(); ++k)
      if (m.coeffs[k].cutoff > 0 && m.coeffs[k].r0 >= m.coeffs[k].cutoff) {
        const std::string at = "coeff[" + std::to_string(k + 1) + "].r0";
        r.error(at, r.path(at) + " must be below the cutoff of its pair");
      }
  });
  return s;
}

}  // namespace

Schema<Pair> pair_schema() {
  Schema<Pair> s;
  s.key("style", [](Pair& p) -> auto& { return p.style; }, "Pair potential")
      .choices({"lj/cut", "morse", "soft"});
  s.key("cutoff", [](Pair& p) -> auto& { return p.cutoff; }, "Global cutoff")
      .unit("sigma")
      .above(0);
  auto lj = s.when("style", "lj/cut");
  lj.key("mixing", [](Pair& p) -> auto& { return p.of<LjCut>("lj/cut").mixing; }, "Mixing rule")
      .choices({"geometric", "arithmetic"});
  lj.key("tail", [](Pair& p) -> auto& { return p.of<LjCut>("lj/cut").tail; }, "Tail corrections");
  lj.table_array(
      "coeff", [](Pair& p) -> auto& { return p.of<LjCut>("lj/cut").coeffs; }, lj_coeff_schema(),
      "LJ parameters per pair of types");
  lj.rule([](const Pair& p, RuleContext& r) {
    if (r.given("tail") && p.cutoff > 4.0)
      r.error("tail", r.path("tail") + " assumes " + r.path("cutoff") + " <= 4");
  });
  s.when("style", "morse").include(morse_schema(), [](Pair& p) -> auto& {
    return p.of<Morse>("morse");
  });
  s.when("style", "soft")
      .key("prefactor", [](Pair& p) -> auto& { return p.of<Soft>("soft").prefactor; }, "Height")
      .required();
  return s;
}

const Schema<MdDeck>& part_deck_schema() {
  static const auto s = [] {
    Schema<MdDeck> d;
    d.include(common_schema(), [](MdDeck& x) -> auto& { return x.common; });
    d.include(pair_schema(), [](MdDeck& x) -> auto& { return x.app.pair; }, "pair");
    return d;
  }();
  return s;
}

}  // namespace weft::deck_test
// clang-format on
