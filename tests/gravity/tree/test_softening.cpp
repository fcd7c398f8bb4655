// SPDX-License-Identifier: Apache-2.0
// gravity.tree.softening: the pair functions of softening.hpp against the
// published kernel (Springel, Yoshida & White 2001, eq. 2; Springel 2005,
// eq. 4) integrated numerically, Gadget-2's closed form, continuity, and
// the Plummer form.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "weft/gravity/softening.hpp"

namespace weft::gravity {
namespace {

constexpr double kEps = 0.01;
const Softening kSpline{SofteningKind::spline, kEps};
const Softening kPlummer{SofteningKind::plummer, kEps};

// W(r): the cubic-spline density kernel of support h (unit mass):
// 8/(pi h^3) (1 - 6u^2 + 6u^3) for u < 1/2, 16/(pi h^3) (1 - u)^3 for u < 1.
double kernel_density(double r, double h) {
  const double u = r / h, c = 8.0 / (std::numbers::pi * h * h * h);
  if (u < 0.5) return c * (1 - 6 * u * u + 6 * u * u * u);
  if (u < 1.0) return 2 * c * (1 - u) * (1 - u) * (1 - u);
  return 0.0;
}

// enclosed(): kernel mass inside r, Simpson's rule on [0, r].
double enclosed(double r, double h) {
  const int n = 2000;
  const double dx = r / n;
  double s = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = i * dx;
    const double f = 4 * std::numbers::pi * x * x * kernel_density(x, h);
    s += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
  }
  return s * dx / 3;
}

TEST(Softening, SplineIsNewtonianBeyondSupport) {
  const double h = 2.8 * kEps;
  EXPECT_DOUBLE_EQ(spline_support(kSpline), h);
  for (double r : {h, 1.0000001 * h, 1.5 * h, 3.0, 100.0}) {
    EXPECT_EQ(pair_force(r * r, kSpline), 1.0 / (r * r * r)) << r;
    EXPECT_EQ(pair_potential(r * r, kSpline), 1.0 / r) << r;
  }
}

TEST(Softening, SplineMatchesIntegratedKernel) {
  // g(r) = M(<r) / r^3 and phi(r) = 1/h + int_r^h g(s) s ds for the
  // kernel's mass distribution (Simpson's rule, a check independent of the
  // closed form).
  const double h = 2.8 * kEps;
  for (double u : {0.1, 0.3, 0.5, 0.62, 0.8, 0.95}) {
    const double r = u * h;
    const double g = enclosed(r, h) / (r * r * r);
    EXPECT_NEAR(pair_force(r * r, kSpline) / g, 1.0, 1e-9) << "u = " << u;
    const int n = 400;
    const double ds = (h - r) / n;
    double integral = 0;
    for (int i = 0; i <= n; ++i) {
      const double s = r + i * ds;
      integral += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * enclosed(s, h) / (s * s);
    }
    const double phi = 1.0 / h + integral * ds / 3;
    EXPECT_NEAR(pair_potential(r * r, kSpline) / phi, 1.0, 1e-9) << "u = " << u;
  }
}

TEST(Softening, SplineMatchesGadgetClosedForm) {
  // Gadget-2 forcetree.c with its printed decimals, h = 2.8 eps:
  // u < 1/2: g = (10.666666666667 + u^2 (32 u - 38.4)) / h^3,
  //          phi = -(-2.8 + u^2 (5.333333333333 + u^2 (6.4 u - 9.6))) / h;
  // else:    g = (21.333333333333 - 48 u + 38.4 u^2 - 10.666666666667 u^3 - 0.066666666667 / u^3) /
  // h^3,
  //          phi = -(-3.2 + 0.066666666667 / u + u^2 (10.666666666667 + u (-16 + u (9.6
  //          - 2.133333333333 u)))) / h.
  const double h = 2.8 * kEps;
  for (double u : {0.05, 0.25, 0.49, 0.51, 0.75, 0.99}) {
    const double r = u * h;
    double g, wp;
    if (u < 0.5) {
      g = 10.666666666667 + u * u * (32 * u - 38.4);
      wp = -2.8 + u * u * (5.333333333333 + u * u * (6.4 * u - 9.6));
    } else {
      g = 21.333333333333 - 48 * u + 38.4 * u * u - 10.666666666667 * u * u * u -
          0.066666666667 / (u * u * u);
      wp = -3.2 + 0.066666666667 / u +
           u * u * (10.666666666667 + u * (-16 + u * (9.6 - 2.133333333333 * u)));
    }
    EXPECT_NEAR(pair_force(r * r, kSpline), g / (h * h * h), 1e-9 * g / (h * h * h)) << u;
    EXPECT_NEAR(pair_potential(r * r, kSpline), -wp / h, 1e-10 * std::abs(wp / h)) << u;
  }
}

TEST(Softening, ContinuousAtBreakPoints) {
  const double h = 2.8 * kEps;
  for (double ub : {0.5, 1.0}) {
    const double lo = ub * h * (1 - 1e-12), hi = ub * h * (1 + 1e-12);
    const double gl = pair_force(lo * lo, kSpline), gh = pair_force(hi * hi, kSpline);
    EXPECT_NEAR(gl / gh, 1.0, 1e-9) << ub;
    EXPECT_NEAR(pair_potential(lo * lo, kSpline) / pair_potential(hi * hi, kSpline), 1.0, 1e-9)
        << ub;
  }
}

TEST(Softening, PlummerEquivalentDepth) {
  // Both kinds: phi(0) = 1 / eps; the spline's central force factor is
  // 32/3 / h^3.
  EXPECT_NEAR(pair_potential(0.0, kSpline), 1.0 / kEps, 1e-12 / kEps);
  EXPECT_NEAR(pair_potential(0.0, kPlummer), 1.0 / kEps, 1e-12 / kEps);
  const double h = 2.8 * kEps;
  EXPECT_NEAR(pair_force(0.0, kSpline), 32.0 / 3.0 / (h * h * h), 1e-9 / (h * h * h));
}

TEST(Softening, PlummerForm) {
  for (double r : {0.0, 0.005, 0.01, 0.1, 2.0}) {
    const double q = r * r + kEps * kEps;
    EXPECT_NEAR(pair_force(r * r, kPlummer), std::pow(q, -1.5), 1e-14 * std::pow(q, -1.5)) << r;
    EXPECT_NEAR(pair_potential(r * r, kPlummer), std::pow(q, -0.5), 1e-14 * std::pow(q, -0.5)) << r;
  }
  // the force is minus the potential's gradient: g r = -dphi/dr (central difference)
  for (const Softening& s : {kPlummer, kSpline}) {
    for (double r : {0.003, 0.012, 0.02, 0.05}) {
      const double dr = 1e-6 * r;
      const double dphi =
          (pair_potential((r + dr) * (r + dr), s) - pair_potential((r - dr) * (r - dr), s)) /
          (2 * dr);
      EXPECT_NEAR(pair_force(r * r, s) * r, -dphi, 1e-6 * std::abs(dphi)) << r;
    }
  }
}

}  // namespace
}  // namespace weft::gravity
