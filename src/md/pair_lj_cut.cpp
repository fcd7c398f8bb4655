// SPDX-License-Identifier: Apache-2.0
// lj/cut: the Lennard-Jones 12-6 pair potential with LAMMPS lj/cut
// conventions: E = 4 eps [(s/r)^12 - (s/r)^6] for r < rc (minus E(rc) with
// shift), per-type-pair eps, sigma and rc, geometric or arithmetic mixing of
// unspecified pairs, and the analytic tail corrections of LAMMPS
// pair_modify tail yes. The kernels are PairKernel's (pair_kernel.hpp).
#include "weft/md/pair_lj_cut.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <sstream>
#include <string>

#include "pair_kernel.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {
namespace {

struct LjCut {
  static constexpr int kForce = 2;   // lj1 = 48 eps s^12, lj2 = 24 eps s^6
  static constexpr int kEnergy = 3;  // lj3 = 4 eps s^12, lj4 = 4 eps s^6, offset

  template <class V>
  static V force(V rsq, V lj1, V lj2) {
    const V r2inv = simd::constant<V>(1.0) / rsq;
    const V r6inv = r2inv * r2inv * r2inv;
    const V forcelj = r6inv * simd::fms(lj1, r6inv, lj2);
    return forcelj * r2inv;
  }
  template <class V>
  static V energy(V rsq, V /*lj1*/, V /*lj2*/, V lj3, V lj4, V offset) {
    const V r2inv = simd::constant<V>(1.0) / rsq;
    const V r6inv = r2inv * r2inv * r2inv;
    return r6inv * simd::fms(lj3, r6inv, lj4) - offset;
  }

  void init(Context& ctx, PairTables<kForce, kEnergy>& t);
  real etail(real volume) const { return etail_ / volume; }
  real ptail(real volume) const { return ptail_ / volume; }

  LjCutParams p;
  real etail_ = 0, ptail_ = 0;
};

void LjCut::init(Context& ctx, PairTables<kForce, kEnergy>& t) {
  const PairConfig& pc = ctx.cfg.pair;
  const LjCutParams& lj = p;
  const int nt = ctx.sys.ntypes();
  const auto n2 = static_cast<std::size_t>(nt * nt);
  std::vector<real> eps(n2, 0), sig(n2, 0), cut(n2, 0);
  std::vector<char> set(n2, 0);
  auto at = [nt](int i, int j) { return static_cast<std::size_t>((i - 1) * nt + (j - 1)); };
  if (lj.coeffs.empty()) {
    for (int i = 1; i <= nt; ++i) {
      eps[at(i, i)] = 1;
      sig[at(i, i)] = 1;
      cut[at(i, i)] = pc.cutoff;
      set[at(i, i)] = 1;
    }
  }
  for (const LjCoeff& c : lj.coeffs) {
    const int i = c.types[0], j = c.types[1];
    if (i < 1 || j < 1 || i > nt || j > nt) {
      std::ostringstream m;
      m << "pair coefficient for types (" << i << ", " << j
        << ") refers to a type that does not exist; "
        << "the system has " << nt << " atom type(s)";
      throw InputError(m.str());
    }
    const real rc = c.cutoff > 0 ? c.cutoff : pc.cutoff;
    for (auto k : {at(i, j), at(j, i)}) {
      eps[k] = c.epsilon;
      sig[k] = c.sigma;
      cut[k] = rc;
      set[k] = 1;
    }
  }
  for (int i = 1; i <= nt; ++i) {
    if (!set[at(i, i)]) {
      std::ostringstream m;
      m << "no pair coefficients for atom type " << i << " with itself: add a [[pair.coeff]] entry "
        << "with types = [" << i << ", " << i << "]";
      throw InputError(m.str());
    }
  }
  const bool arith = lj.mixing == "arithmetic";
  for (int i = 1; i <= nt; ++i)
    for (int j = 1; j <= nt; ++j) {
      if (set[at(i, j)]) continue;
      eps[at(i, j)] = std::sqrt(eps[at(i, i)] * eps[at(j, j)]);
      if (arith) {
        sig[at(i, j)] = 0.5 * (sig[at(i, i)] + sig[at(j, j)]);
        cut[at(i, j)] = 0.5 * (cut[at(i, i)] + cut[at(j, j)]);
      } else {
        sig[at(i, j)] = std::sqrt(sig[at(i, i)] * sig[at(j, j)]);
        cut[at(i, j)] = std::sqrt(cut[at(i, i)] * cut[at(j, j)]);
      }
    }
  t.cut = cut;
  for (std::size_t k = 0; k < n2; ++k) {
    t.force[0][k] = 48.0 * eps[k] * std::pow(sig[k], 12.0);
    t.force[1][k] = 24.0 * eps[k] * std::pow(sig[k], 6.0);
    t.energy[0][k] = 4.0 * eps[k] * std::pow(sig[k], 12.0);
    t.energy[1][k] = 4.0 * eps[k] * std::pow(sig[k], 6.0);
    if (pc.shift && cut[k] > 0) {
      const real ratio = sig[k] / cut[k];
      t.energy[2][k] = 4.0 * eps[k] * (std::pow(ratio, 12.0) - std::pow(ratio, 6.0));
    }
  }
  // Tail corrections (LAMMPS PairLJCut::init_one), summed over i <= j with
  // off-diagonal pairs counted twice.
  etail_ = ptail_ = 0;
  if (lj.tail) {
    std::vector<real> count(static_cast<std::size_t>(nt), 0), all(static_cast<std::size_t>(nt), 0);
    for (index a = 0; a < ctx.sys.nlocal; ++a)
      count[static_cast<std::size_t>(ctx.sys.type[static_cast<std::size_t>(a)] - 1)] += 1.0;
    mpi::allreduce(count.data(), all.data(), nt, MPI_SUM, ctx.comm);
    for (int i = 1; i <= nt; ++i)
      for (int j = i; j <= nt; ++j) {
        const std::size_t k = at(i, j);
        const real sig2 = sig[k] * sig[k];
        const real sig6 = sig2 * sig2 * sig2;
        const real rc3 = cut[k] * cut[k] * cut[k];
        const real rc6 = rc3 * rc3;
        const real rc9 = rc3 * rc6;
        const real prefactor = 8.0 * std::numbers::pi * all[static_cast<std::size_t>(i - 1)] *
                               all[static_cast<std::size_t>(j - 1)] * eps[k] * sig6 / (9.0 * rc9);
        const real e = prefactor * (sig6 - 3.0 * rc6);
        const real pt = 2.0 * prefactor * (2.0 * sig6 - 3.0 * rc6);
        etail_ += (i == j) ? e : 2.0 * e;
        ptail_ += (i == j) ? pt : 2.0 * pt;
      }
  }
}

// check() validates the coefficients for ntypes atom types (before any
// atom exists) and returns the largest cutoff.
real check(const PairConfig& pc, int ntypes) {
  const LjCutParams lj = pc.params.value<LjCutParams>(pc.style);
  if (lj.mixing != "geometric" && lj.mixing != "arithmetic")
    throw InputError("pair.mixing = \"" + lj.mixing + "\": use geometric or arithmetic");
  real cutmax = pc.cutoff;
  for (const LjCoeff& c : lj.coeffs) {
    for (int t : c.types)
      if (t < 1 || t > ntypes)
        throw InputError("pair coefficient for types (" + std::to_string(c.types[0]) + ", " +
                         std::to_string(c.types[1]) +
                         ") names an unknown atom type; the system has " + std::to_string(ntypes) +
                         " atom type(s)");
    if (!(c.sigma > 0 && c.epsilon >= 0))
      throw InputError("pair coefficients need sigma > 0 and epsilon >= 0");
    if (c.cutoff < 0) throw InputError("pair coefficient cutoff must not be negative");
    if (c.cutoff > 0) cutmax = std::max(cutmax, c.cutoff);
  }
  if (!lj.coeffs.empty())
    for (int t = 1; t <= ntypes; ++t) {
      bool found = false;
      for (const LjCoeff& c : lj.coeffs) found = found || (c.types[0] == t && c.types[1] == t);
      if (!found)
        throw InputError("no pair coefficients for atom type " + std::to_string(t) +
                         " with itself: add a [[pair.coeff]] entry with types = [" +
                         std::to_string(t) + ", " + std::to_string(t) + "]");
    }
  return cutmax;
}

deck::Schema<LjCoeff> coeff_schema() {
  using P = LjCoeff;
  deck::Schema<P> s;
  // clang-format off
  s.key("types", [](P& x) -> auto& { return x.types; }, "The two atom types (1-based) this applies to")
      .min(1)
      .required();
  s.key("epsilon", [](P& x) -> auto& { return x.epsilon; }, "LJ well depth").unit("epsilon").min(0);
  s.key("sigma", [](P& x) -> auto& { return x.sigma; }, "LJ zero-crossing distance")
      .unit("sigma")
      .above(0);
  s.key("cutoff", [](P& x) -> auto& { return x.cutoff; }, "Cutoff for this pair; 0: pair.cutoff")
      .unit("sigma")
      .min(0);
  // clang-format on
  return s;
}

void declare(const Declarer& when, const std::string& name) {
  using C = Config;
  auto p = [name](C& c) -> LjCutParams& { return c.pair.params.get<LjCutParams>(name); };
  // clang-format off
  when.key("pair.mixing", [p](C& c) -> auto& { return p(c).mixing; },
           "Mixing rule for unlike pairs not given in [[pair.coeff]]")
      .choices({"geometric", "arithmetic"});
  when.key("pair.tail", [p](C& c) -> auto& { return p(c).tail; },
           "Add analytic long-range tail corrections to energy and pressure");
  when.table_array("pair.coeff", [p](C& c) -> auto& { return p(c).coeffs; }, coeff_schema(),
                   "LJ parameters per pair of types; unlike pairs not given are mixed");
  // clang-format on
  when.rule([name](const C& c, deck::RuleContext& r) {
    const LjCutParams* lj = c.pair.params.find<LjCutParams>(name);
    if (!lj) return;
    const int ntypes = static_cast<int>(c.species.size());
    std::set<std::pair<int, int>> pairs;
    for (std::size_t k = 0; k < lj->coeffs.size(); ++k) {
      const auto& pc = lj->coeffs[k];
      const std::string path = "pair.coeff[" + std::to_string(k + 1) + "].types";
      const int i = std::min(pc.types[0], pc.types[1]), j = std::max(pc.types[0], pc.types[1]);
      if (j > ntypes)
        r.error(path, "atom type " + std::to_string(j) +
                          " does not exist: " + std::to_string(ntypes) + " [[species]] defined");
      if (!pairs.insert({i, j}).second)
        r.error(path, "the pair (" + std::to_string(i) + ", " + std::to_string(j) +
                          ") is given twice in [[pair.coeff]]");
    }
    for (int t = 1; t <= ntypes && !lj->coeffs.empty(); ++t)
      if (!pairs.count({t, t}))
        r.error("pair.coeff", "no [[pair.coeff]] for like pair (" + std::to_string(t) + ", " +
                                  std::to_string(t) +
                                  "); mixing needs epsilon and sigma of every type with itself");
  });
}

}  // namespace

PairStyle pair_lj_cut() {
  return {.make = [](const PairConfig& pc) -> std::unique_ptr<Force> {
            return std::make_unique<PairKernel<LjCut>>(
                LjCut{.p = pc.params.value<LjCutParams>(pc.style)});
          },
          .check = check,
          .declare = declare};
}

}  // namespace weft::md
