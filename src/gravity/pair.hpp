// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>

// The softened pair interaction of direct summation, written branch-free so
// that a loop over sources vectorises: for a source of mass m at distance r
// (r^2 = r2), force_factor() is F(r) / r per unit mass and G (the
// acceleration is m * force_factor * (x_source - x_target)) and potential()
// is the potential per unit mass and G (negative). Both are exactly
// Newtonian beyond the kernel's support.
//
// Plummer: F/r = m / (r^2 + eps^2)^(3/2), phi = -m / sqrt(r^2 + eps^2).
// Spline: Gadget-2's cubic spline kernel (forcetree.c) with h = 2.8 eps, so
// that phi(0) = -m / eps as for Plummer; Newtonian for r >= h.
//
// (Private to direct summation until it merges with the tree's
// weft/gravity/softening.hpp.)
namespace weft::gravity::pair {

// kSplineH is h / eps of the spline kernel.
inline constexpr double kSplineH = 2.8;
// kTiny keeps 1/r finite at r = 0.
inline constexpr double kTiny = 1e-300;

struct Plummer {
  double eps2;
  explicit Plummer(double eps) : eps2(eps * eps) {}
  // both() sets F/r and phi for unit mass.
  void both(double r2, double& f, double& phi) const {
    const double s2 = r2 + eps2;
    const double inv = 1.0 / std::sqrt(s2);
    phi = -inv;
    f = inv * inv * inv;
  }
};

struct Spline {
  double h, hinv, hinv3;
  explicit Spline(double eps) : h(kSplineH * eps), hinv(1.0 / h), hinv3(hinv * hinv * hinv) {}
  // both() sets F/r and phi for unit mass. At r = 0 (a particle and
  // itself) the inner branch is taken: F/r = 32/3 / h^3, phi = -2.8 / h.
  void both(double r2, double& f, double& phi) const {
    // r2 + kTiny: at r = 0 (a particle and itself, or two at one point)
    // 1/r stays finite and u ~ 1e-150 takes the inner branch; any other
    // r2 is unchanged (kTiny is far below its last bit).
    const double rinv = 1.0 / std::sqrt(r2 + kTiny);
    const double r = (r2 + kTiny) * rinv;
    const double u = r * hinv;
    const double u2 = u * u;
    const double uinv = h * rinv;
    const double uinv3 = uinv * uinv * uinv;
    // Every branch is evaluated (the outer ones overflow at r = 0 and are
    // discarded by the selects), so the loop has no branches.
    const double f_in = hinv3 * (10.666666666667 + u2 * (32.0 * u - 38.4));
    const double p_in = hinv * (-2.8 + u2 * (5.333333333333 + u2 * (6.4 * u - 9.6)));
    const double f_mid = hinv3 * (21.333333333333 - 48.0 * u + 38.4 * u2 -
                                  10.666666666667 * u2 * u - 0.066666666667 * uinv3);
    const double p_mid =
        hinv * (-3.2 + 0.066666666667 * uinv +
                u2 * (10.666666666667 + u * (-16.0 + u * (9.6 - 2.133333333333 * u))));
    const double f_out = rinv * rinv * rinv;
    const double p_out = -rinv;
    f = u < 0.5 ? f_in : (u < 1.0 ? f_mid : f_out);
    phi = u < 0.5 ? p_in : (u < 1.0 ? p_mid : p_out);
  }
};

}  // namespace weft::gravity::pair
