// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>

// Gravitational softening: the pair force and potential of two point masses
// at a short distance, shared by the tree (src/gravity/tree) and by direct
// summation. All functions are pure, inline and not collective.
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

// spline_force() is g(r) of the spline kernel for r < h (h_inv = 1/h):
// the enclosed kernel mass over r^3. Gadget-2 forcetree.c, written with
// exact fractions.
inline double spline_force(double r, double h_inv) noexcept {
  const double u = r * h_inv, h3_inv = h_inv * h_inv * h_inv;
  if (u < 0.5) return h3_inv * (32.0 / 3.0 + u * u * (32.0 * u - 38.4));
  return h3_inv *
         (64.0 / 3.0 - 48.0 * u + 38.4 * u * u - 32.0 / 3.0 * u * u * u - 1.0 / (15.0 * u * u * u));
}

// spline_potential() is phi(r) of the spline kernel for r < h (positive;
// phi(0) = 2.8 / h = 1 / epsilon, phi(h) = 1 / h).
inline double spline_potential(double r, double h_inv) noexcept {
  const double u = r * h_inv;
  double wp;
  if (u < 0.5) {
    wp = -2.8 + u * u * (16.0 / 3.0 + u * u * (6.4 * u - 9.6));
  } else {
    wp = -3.2 + 1.0 / (15.0 * u) + u * u * (32.0 / 3.0 + u * (-16.0 + u * (9.6 - 32.0 / 15.0 * u)));
  }
  return -wp * h_inv;
}

// pair_force() is g(r) for a squared distance r2 >= 0, such that a target i
// gets a_i += G m_j g (x_j - x_i) from a source j (units 1/length^3).
inline double pair_force(double r2, const Softening& s) noexcept {
  if (s.kind == SofteningKind::plummer) {
    const double q = r2 + s.epsilon * s.epsilon;
    return 1.0 / (q * std::sqrt(q));
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

}  // namespace weft::gravity
