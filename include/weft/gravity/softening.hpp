// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>

// Gravitational softening: the pair force and potential of two point masses
// at a short distance — the one definition of the kernels, used by the tree
// (src/gravity/tree), direct summation (src/gravity/direct.cpp) and the
// tests. The spline's polynomials are written once (spline_g_inner() ...
// spline_psi_outer(), Gadget-2 forcetree.c with exact fractions where Gadget
// writes 12 decimals) and composed two ways: with branches for one pair
// (pair_force(), spline_force()), and branch-free for a loop over sources
// that vectorises (SplinePair, PlummerPair). All functions are pure, inline
// and not collective.
namespace weft::gravity {

// SofteningKind is the deck's gravity.softening: "plummer" | "spline".
enum class SofteningKind { plummer, spline };

// Softening is the kind and the Plummer-equivalent softening length epsilon
// (> 0, length units): both kinds give the same potential depth at r = 0,
// phi(0) = 1 / epsilon.
//   plummer: phi(r) = 1 / sqrt(r^2 + epsilon^2), g(r) = (r^2 + epsilon^2)^(-3/2);
//   spline:  Gadget-2's cubic-spline kernel (Springel, Yoshida & White 2001;
//            Springel 2005, eq. 4) with support h = 2.8 epsilon: exactly
//            Newtonian (phi = 1/r, g = 1/r^3) for r >= h.
struct Softening {
  SofteningKind kind = SofteningKind::spline;
  double epsilon = 0.01;
};

// kSplineSupport is h / epsilon for the spline kernel.
inline constexpr double kSplineSupport = 2.8;

// spline_support() is h = 2.8 epsilon (spline) or 0 (plummer: never exactly
// Newtonian): beyond it the pair functions are exactly 1/r and 1/r^3.
inline double spline_support(const Softening& s) noexcept {
  return s.kind == SofteningKind::spline ? kSplineSupport * s.epsilon : 0.0;
}

// spline_g_inner() is h^3 g(r) of the spline kernel for u = r/h < 1/2
// (g: the enclosed kernel mass over r^3).
inline double spline_g_inner(double u) noexcept { return 32.0 / 3.0 + u * u * (32.0 * u - 38.4); }
// spline_g_outer() is h^3 g(r) for 1/2 <= u < 1; u_inv = 1/u.
inline double spline_g_outer(double u, double u_inv) noexcept {
  return 64.0 / 3.0 - 48.0 * u + 38.4 * u * u - 32.0 / 3.0 * u * u * u -
         1.0 / 15.0 * (u_inv * u_inv * u_inv);
}
// spline_psi_inner() is h phi(r) (positive) for u < 1/2: 2.8 at u = 0.
inline double spline_psi_inner(double u) noexcept {
  return 2.8 - u * u * (16.0 / 3.0 + u * u * (6.4 * u - 9.6));
}
// spline_psi_outer() is h phi(r) for 1/2 <= u < 1: 1 at u = 1.
inline double spline_psi_outer(double u, double u_inv) noexcept {
  return 3.2 - 1.0 / 15.0 * u_inv -
         u * u * (32.0 / 3.0 + u * (-16.0 + u * (9.6 - 32.0 / 15.0 * u)));
}

// spline_force() is g(r) of the spline kernel for r < h (h_inv = 1/h).
inline double spline_force(double r, double h_inv) noexcept {
  const double u = r * h_inv, h3_inv = h_inv * h_inv * h_inv;
  return h3_inv * (u < 0.5 ? spline_g_inner(u) : spline_g_outer(u, 1.0 / u));
}

// spline_potential() is phi(r) of the spline kernel for r < h (positive;
// phi(0) = 2.8 / h = 1 / epsilon, phi(h) = 1 / h).
inline double spline_potential(double r, double h_inv) noexcept {
  const double u = r * h_inv;
  return h_inv * (u < 0.5 ? spline_psi_inner(u) : spline_psi_outer(u, 1.0 / u));
}

// pair_force() is g(r) for a squared distance r2 >= 0, such that a target i
// gets a_i += G m_j g (x_j - x_i) from a source j (units 1/length^3).
inline double pair_force(double r2, const Softening& s) noexcept {
  if (s.kind == SofteningKind::plummer) {
    const double inv = 1.0 / std::sqrt(r2 + s.epsilon * s.epsilon);
    return inv * inv * inv;
  }
  const double h = kSplineSupport * s.epsilon;
  const double r = std::sqrt(r2);
  if (r >= h) return 1.0 / (r2 * r);
  return spline_force(r, 1.0 / h);
}

// pair_potential() is phi(r) for a squared distance r2 >= 0, such that the
// target's potential gets pot_i += -G m_j phi (units 1/length).
inline double pair_potential(double r2, const Softening& s) noexcept {
  if (s.kind == SofteningKind::plummer) return 1.0 / std::sqrt(r2 + s.epsilon * s.epsilon);
  const double h = kSplineSupport * s.epsilon;
  const double r = std::sqrt(r2);
  if (r >= h) return 1.0 / r;
  return spline_potential(r, 1.0 / h);
}

// PlummerPair is the Plummer kernel for a loop over sources: both() sets
// g and phi (as pair_force(), pair_potential()) without a branch.
struct PlummerPair {
  double eps2;
  explicit PlummerPair(double epsilon) : eps2(epsilon * epsilon) {}
  void both(double r2, double& g, double& phi) const noexcept {
    const double inv = 1.0 / std::sqrt(r2 + eps2);
    phi = inv;
    g = inv * inv * inv;
  }
};

// SplinePair is the spline kernel for a loop over sources: both() sets g
// and phi (as pair_force(), pair_potential()) with every branch evaluated
// and the right one selected, so the loop has no branch. At r = 0 (a
// particle and itself, or two at one point) the inner branch is taken:
// g = 32/3 / h^3, phi = 2.8 / h.
struct SplinePair {
  double h, h_inv, h3_inv;
  explicit SplinePair(double epsilon)
      : h(kSplineSupport * epsilon), h_inv(1.0 / h), h3_inv(h_inv * h_inv * h_inv) {}
  void both(double r2, double& g, double& phi) const noexcept {
    // kTiny keeps 1/r finite at r = 0 (u ~ 1e-150 takes the inner branch);
    // any other r2 is unchanged (kTiny is far below its last bit). The
    // outer branches overflow there and are discarded by the selects.
    constexpr double kTiny = 1e-300;
    const double r_inv = 1.0 / std::sqrt(r2 + kTiny);
    const double u = (r2 + kTiny) * r_inv * h_inv;
    const double u_inv = h * r_inv;
    const double g_in = h3_inv * spline_g_inner(u), g_mid = h3_inv * spline_g_outer(u, u_inv);
    const double p_in = h_inv * spline_psi_inner(u), p_mid = h_inv * spline_psi_outer(u, u_inv);
    g = u < 0.5 ? g_in : (u < 1.0 ? g_mid : r_inv * r_inv * r_inv);
    phi = u < 0.5 ? p_in : (u < 1.0 ? p_mid : r_inv);
  }
};

}  // namespace weft::gravity
