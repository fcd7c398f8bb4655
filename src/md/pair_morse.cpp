// SPDX-License-Identifier: Apache-2.0
// morse: the Morse pair potential with LAMMPS pair_style morse conventions:
// E = D0 [exp(-2 a (r - r0)) - 2 exp(-a (r - r0))] for r < rc (minus E(rc)
// with pair.shift), F(r)/r = 2 D0 a [exp(-2 a (r - r0)) - exp(-a (r - r0))] / r.
// Every pair of types is given (LAMMPS mixes none). The kernels are
// PairKernel's (pair_kernel.hpp); this file supplies the coefficients, the
// pair function and the deck keys.
#include "weft/md/pair_morse.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "pair_kernel.hpp"
#include "weft/core/error.hpp"

namespace weft::md {
namespace {

struct Morse {
  static constexpr int kForce = 3;   // morse1 = 2 D0 alpha, alpha, r0
  static constexpr int kEnergy = 2;  // D0, offset

  template <class V>
  static V force(V rsq, V morse1, V alpha, V r0) {
    const V r = simd::sqrt(rsq);
    const V dexp = simd::exp(-alpha * (r - r0));
    return morse1 * (dexp * dexp - dexp) / r;
  }
  template <class V>
  static V energy(V rsq, V /*morse1*/, V alpha, V r0, V d0, V offset) {
    const V r = simd::sqrt(rsq);
    const V dexp = simd::exp(-alpha * (r - r0));
    return d0 * (dexp * dexp - simd::constant<V>(2.0) * dexp) - offset;
  }

  void init(Context& ctx, PairTables<kForce, kEnergy>& t) const {
    const PairConfig& pc = ctx.cfg.pair;
    const int nt = ctx.sys.ntypes();
    auto at = [nt](int i, int j) { return static_cast<std::size_t>((i - 1) * nt + (j - 1)); };
    for (const MorseCoeff& c : p.coeffs) {
      if (c.types[0] < 1 || c.types[1] < 1 || c.types[0] > nt || c.types[1] > nt)
        throw InputError("morse coefficients for types (" + std::to_string(c.types[0]) + ", " +
                         std::to_string(c.types[1]) + "): the system has " + std::to_string(nt) +
                         " atom type(s)");
      const real rc = c.cutoff > 0 ? c.cutoff : pc.cutoff;
      for (auto k : {at(c.types[0], c.types[1]), at(c.types[1], c.types[0])}) {
        t.cut[k] = rc;
        t.force[0][k] = 2.0 * c.d0 * c.alpha;
        t.force[1][k] = c.alpha;
        t.force[2][k] = c.r0;
        t.energy[0][k] = c.d0;
        if (pc.shift) {
          const real e = std::exp(-c.alpha * (rc - c.r0));
          t.energy[1][k] = c.d0 * (e * e - 2.0 * e);
        }
      }
    }
  }
  real etail(real) const { return 0; }
  real ptail(real) const { return 0; }

  MorseParams p;
};

// missing_pair() is "" when every pair of types 1..ntypes is given, else
// the message for the first pair that is not.
std::string missing_pair(const MorseParams& m, int ntypes) {
  std::set<std::pair<int, int>> given;
  for (const MorseCoeff& c : m.coeffs)
    given.insert({std::min(c.types[0], c.types[1]), std::max(c.types[0], c.types[1])});
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j)
      if (!given.count({i, j}))
        return "pair.style = \"morse\" has no [[pair.coeff]] for types (" + std::to_string(i) +
               ", " + std::to_string(j) + "): morse mixes nothing (as LAMMPS), give every pair " +
               "of types with d0, alpha and r0";
  return "";
}

real check(const PairConfig& pc, int ntypes) {
  const MorseParams m = pc.params.value<MorseParams>(pc.style);
  real cutmax = pc.cutoff;
  for (const MorseCoeff& c : m.coeffs) {
    for (int t : c.types)
      if (t < 1 || t > ntypes)
        throw InputError("morse coefficients for types (" + std::to_string(c.types[0]) + ", " +
                         std::to_string(c.types[1]) +
                         ") name an unknown atom type; the system has " + std::to_string(ntypes) +
                         " atom type(s)");
    if (!(c.d0 >= 0 && c.alpha > 0 && c.r0 > 0 && c.cutoff >= 0))
      throw InputError("morse coefficients need d0 >= 0, alpha > 0, r0 > 0 and cutoff >= 0");
    if (c.cutoff > 0) cutmax = std::max(cutmax, c.cutoff);
  }
  if (const std::string m2 = missing_pair(m, ntypes); !m2.empty()) throw InputError(m2);
  return cutmax;
}

deck::Schema<MorseCoeff> coeff_schema() {
  using P = MorseCoeff;
  deck::Schema<P> s;
  // clang-format off
  s.key("types", [](P& x) -> auto& { return x.types; }, "The two atom types (1-based) this applies to")
      .min(1)
      .required();
  s.key("d0", [](P& x) -> auto& { return x.d0; }, "Morse well depth D0").unit("epsilon").min(0).required();
  s.key("alpha", [](P& x) -> auto& { return x.alpha; }, "Morse stiffness alpha")
      .unit("sigma^-1")
      .above(0)
      .required();
  s.key("r0", [](P& x) -> auto& { return x.r0; }, "Morse equilibrium distance r0")
      .unit("sigma")
      .above(0)
      .required();
  s.key("cutoff", [](P& x) -> auto& { return x.cutoff; }, "Cutoff for this pair; 0: pair.cutoff")
      .unit("sigma")
      .min(0);
  // clang-format on
  return s;
}

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
void declare(const Declarer& when, const std::string& name) {
  using C = Config;
  when.table_array(
      "pair.coeff",
      [name](C& c) -> auto& { return c.pair.params.get<MorseParams>(name).coeffs; },
      coeff_schema(), "Morse parameters of every pair of types (LAMMPS pair_coeff i j D0 alpha r0)");
  when.rule([name](const C& c, deck::RuleContext& r) {
    const MorseParams* m = c.pair.params.find<MorseParams>(name);
    const std::string missing =
        missing_pair(m ? *m : MorseParams{}, static_cast<int>(c.species.size()));
    if (!missing.empty()) r.error("pair.coeff", missing);
  });
}

// clang-format on

}  // namespace

PairStyle pair_morse() {
  return {.make = [](const PairConfig& pc) -> std::unique_ptr<Force> {
            return std::make_unique<PairKernel<Morse>>(
                Morse{.p = pc.params.value<MorseParams>(pc.style)});
          },
          .check = check,
          .declare = declare};
}

}  // namespace weft::md
