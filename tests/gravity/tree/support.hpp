// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "weft/gravity/softening.hpp"
#include "weft/gravity/tree.hpp"

// Helpers of the tree tests: a Plummer sphere, direct summation, error
// percentiles. Test code only (the application has its own IC module).
namespace weft::gravity::test {

// Sources is a set of point masses.
struct Sources {
  std::vector<Vec3> pos;
  std::vector<double> mass;
};

// uniform01() is a double in [0, 1) from 53 random bits (portable, unlike
// std::uniform_real_distribution).
inline double uniform01(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

// plummer_sphere() draws n equal masses (total 1) of the Plummer model with
// G = M = a = 1, cut at radius rcut: radii from the cumulative mass
// M(r) = r^3 (1 + r^2)^(-3/2) inverted, r = (u^(-2/3) - 1)^(-1/2) with u
// uniform in (0, M(rcut)), isotropic directions.
inline Sources plummer_sphere(std::int64_t n, std::uint64_t seed, double rcut = 100.0) {
  std::mt19937_64 rng(seed);
  const double mcut = std::pow(rcut, 3) * std::pow(1 + rcut * rcut, -1.5);
  Sources s;
  s.pos.reserve(static_cast<std::size_t>(n));
  s.mass.assign(static_cast<std::size_t>(n), 1.0 / double(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double u;
    do u = mcut * uniform01(rng);
    while (u <= 0.0);
    const double r = 1.0 / std::sqrt(std::pow(u, -2.0 / 3.0) - 1.0);
    const double c = 2 * uniform01(rng) - 1, phi = 2 * std::numbers::pi * uniform01(rng);
    const double st = std::sqrt(std::max(0.0, 1 - c * c));
    s.pos.emplace_back(r * st * std::cos(phi), r * st * std::sin(phi), r * c);
  }
  return s;
}

// direct() is the O(N^2) double loop: acceleration and potential at the
// sources listed in `which` (indices into s), the source itself left out,
// with the pair functions of softening.hpp.
inline void direct(const Sources& s, const std::vector<std::int64_t>& which, const Softening& soft,
                   double G, std::vector<Vec3>& acc, std::vector<double>& pot) {
  acc.assign(which.size(), Vec3::Zero());
  pot.assign(which.size(), 0.0);
  const auto n = static_cast<std::int64_t>(s.pos.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(which.size()); ++k) {
    const std::int64_t i = which[static_cast<std::size_t>(k)];
    const Vec3 xi = s.pos[static_cast<std::size_t>(i)];
    Vec3 a = Vec3::Zero();
    double p = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const Vec3 d = s.pos[static_cast<std::size_t>(j)] - xi;
      const double r2 = d.squaredNorm(), m = s.mass[static_cast<std::size_t>(j)];
      a += m * pair_force(r2, soft) * d;
      p -= m * pair_potential(r2, soft);
    }
    acc[static_cast<std::size_t>(k)] = G * a;
    pot[static_cast<std::size_t>(k)] = G * p;
  }
}

// sample() is m distinct indices of [0, n), sorted, from a seeded shuffle.
inline std::vector<std::int64_t> sample(std::int64_t n, std::int64_t m, std::uint64_t seed) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(seed);
  for (std::int64_t i = 0; i < m; ++i) {  // partial Fisher-Yates
    const auto j = i + static_cast<std::int64_t>(uniform01(rng) * double(n - i));
    std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
  }
  all.resize(static_cast<std::size_t>(m));
  std::sort(all.begin(), all.end());
  return all;
}

// percentile() of values (p in [0, 100], nearest rank).
inline double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0.0;
  const auto k =
      static_cast<std::size_t>(std::ceil(p / 100.0 * double(v.size()))) - (p > 0 ? 1 : 0);
  return v[std::min(k, v.size() - 1)];
}

// Errors are relative force and potential errors of a tree against direct summation.
struct Errors {
  std::vector<double> force, potential;
  WalkStats stats;
};

// tree_errors() walks `tree` (built over s) for every source, as a time
// step does (the group walks depend on all targets), and compares the
// sources in `which` with acc_d / pot_d from direct(). old_acc: for the
// relative criterion (with_old_acc), |a_direct| at the sampled sources and
// |a| of a Barnes–Hut theta = 0.5 quadrupole walk elsewhere.
inline Errors tree_errors(const Tree& tree, const Sources& s,
                          const std::vector<std::int64_t>& which, const std::vector<Vec3>& acc_d,
                          const std::vector<double>& pot_d, const Softening& soft, double G,
                          bool with_old_acc, int threads = 1) {
  const std::size_t n = s.pos.size();
  std::vector<std::int64_t> self(n);
  for (std::size_t i = 0; i < n; ++i) self[i] = static_cast<std::int64_t>(i);
  std::vector<Vec3> acc(n);
  std::vector<double> pot(n), old;
  if (with_old_acc) {
    Tree bh({.theta = 0.5});
    bh.build(s.pos, s.mass, threads);
    bh.accelerations(s.pos, self, {}, soft, G, acc, pot, threads);
    for (const Vec3& a : acc) old.push_back(a.norm());
    for (std::size_t k = 0; k < which.size(); ++k) {
      old[static_cast<std::size_t>(which[k])] = acc_d[k].norm();
    }
  }
  Errors e;
  e.stats = tree.accelerations(s.pos, self, old, soft, G, acc, pot, threads);
  for (std::size_t k = 0; k < which.size(); ++k) {
    const auto i = static_cast<std::size_t>(which[k]);
    e.force.push_back((acc[i] - acc_d[k]).norm() / acc_d[k].norm());
    e.potential.push_back(std::abs(pot[i] - pot_d[k]) / std::abs(pot_d[k]));
  }
  return e;
}

}  // namespace weft::gravity::test
