// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "weft/gravity/softening.hpp"

// Interaction lists of one target and the loops that evaluate them. Each
// list is a structure of arrays; the two long loops are `omp simd`
// reductions the compiler vectorises (AVX-512/AVX2 with -march=native).
// Sums are in list order, so a target's result is the same whichever
// worker computes it.
namespace weft::gravity::impl {

// Sums accumulates sum_j m_j D1 dx (acceleration / G) and sum_j m_j psi
// (minus potential / G) of one target.
struct Sums {
  double ax = 0, ay = 0, az = 0, phi = 0;
};

// PointList: masses at offsets d = target - source, interacting through
// 1/sqrt(r^2 + eps2) (eps2 = epsilon^2 for Plummer, 0 beyond the spline's
// support), or through the spline kernel (softened list).
struct PointList {
  std::vector<double> x, y, z, m;
  std::size_t size() const noexcept { return x.size(); }
  void clear() noexcept {
    x.clear();
    y.clear();
    z.clear();
    m.clear();
  }
  void push(double dx, double dy, double dz, double mass) {
    x.push_back(dx);
    y.push_back(dy);
    z.push_back(dz);
    m.push_back(mass);
  }
};

// QuadList: nodes with quadrupole q (traceless, xx yy zz xy xz yz) and
// trace tr (used only with Plummer softening, 0 otherwise).
struct QuadList : PointList {
  std::vector<double> q0, q1, q2, q3, q4, q5, tr;
  void clear() noexcept {
    PointList::clear();
    q0.clear();
    q1.clear();
    q2.clear();
    q3.clear();
    q4.clear();
    q5.clear();
    tr.clear();
  }
  void push(double dx, double dy, double dz, double mass, const double* q, double trace) {
    PointList::push(dx, dy, dz, mass);
    q0.push_back(q[0]);
    q1.push_back(q[1]);
    q2.push_back(q[2]);
    q3.push_back(q[3]);
    q4.push_back(q[4]);
    q5.push_back(q[5]);
    tr.push_back(trace);
  }
};

// monopoles() adds point masses: psi = (r^2 + eps2)^(-1/2), D1 = -psi^3.
inline void monopoles(const PointList& l, double eps2, Sums& s) {
  const double *x = l.x.data(), *y = l.y.data(), *z = l.z.data(), *m = l.m.data();
  const std::size_t n = l.size();
  double ax = 0, ay = 0, az = 0, ph = 0;
#pragma omp simd reduction(+ : ax, ay, az, ph)
  for (std::size_t i = 0; i < n; ++i) {
    const double q = x[i] * x[i] + y[i] * y[i] + z[i] * z[i] + eps2;
    const double rinv = 1.0 / std::sqrt(q);
    const double mr = m[i] * rinv;
    const double f = mr * rinv * rinv;
    ax -= f * x[i];
    ay -= f * y[i];
    az -= f * z[i];
    ph += mr;
  }
  s.ax += ax;
  s.ay += ay;
  s.az += az;
  s.phi += ph;
}

// quadrupoles() adds nodes to second order. With psi(q) = q^(-1/2),
// q = r^2 + eps2, and D_n = (d/(r dr))^n psi: D1 = -q^(-3/2), D2 = 3 q^(-5/2),
// D3 = -15 q^(-7/2). For second moments I = (Q + tr 1) / 3 about the centre
// of mass, the expansion of sum m psi(|x - s|) is
//   phi = M psi + (D1 tr(I) + D2 x.I.x) / 2
//   a/G = M D1 x + D2 I x + (D2 tr(I) + D3 x.I.x) x / 2,
// which for eps2 = 0 and tr = 0 is the Newtonian quadrupole
//   a/G = -M x / r^3 + Q x / r^5 - 5/2 (x.Q.x) x / r^7.
inline void quadrupoles(const QuadList& l, double eps2, Sums& s) {
  const double *x = l.x.data(), *y = l.y.data(), *z = l.z.data(), *m = l.m.data();
  const double *q0 = l.q0.data(), *q1 = l.q1.data(), *q2 = l.q2.data(), *q3 = l.q3.data(),
               *q4 = l.q4.data(), *q5 = l.q5.data(), *tr = l.tr.data();
  const std::size_t n = l.size();
  double ax = 0, ay = 0, az = 0, ph = 0;
#pragma omp simd reduction(+ : ax, ay, az, ph)
  for (std::size_t i = 0; i < n; ++i) {
    const double r2 = x[i] * x[i] + y[i] * y[i] + z[i] * z[i];
    const double qinv = 1.0 / (r2 + eps2);
    const double psi = std::sqrt(qinv);
    const double d1 = -psi * qinv, d2 = -3.0 * d1 * qinv, d3 = -5.0 * d2 * qinv;
    const double t = tr[i];
    constexpr double third = 1.0 / 3.0;
    const double ix = third * (q0[i] * x[i] + q3[i] * y[i] + q4[i] * z[i] + t * x[i]);
    const double iy = third * (q3[i] * x[i] + q1[i] * y[i] + q5[i] * z[i] + t * y[i]);
    const double iz = third * (q4[i] * x[i] + q5[i] * y[i] + q2[i] * z[i] + t * z[i]);
    const double xix = x[i] * ix + y[i] * iy + z[i] * iz;
    const double radial = m[i] * d1 + 0.5 * (d2 * t + d3 * xix);
    ax += radial * x[i] + d2 * ix;
    ay += radial * y[i] + d2 * iy;
    az += radial * z[i] + d2 * iz;
    ph += m[i] * psi + 0.5 * (d1 * t + d2 * xix);
  }
  s.ax += ax;
  s.ay += ay;
  s.az += az;
  s.phi += ph;
}

// softened() adds masses inside the spline's support h (h_inv = 1/h),
// through Gadget's kernel.
inline void softened(const PointList& l, double h_inv, Sums& s) {
  for (std::size_t i = 0; i < l.size(); ++i) {
    const double r = std::sqrt(l.x[i] * l.x[i] + l.y[i] * l.y[i] + l.z[i] * l.z[i]);
    const double f = l.m[i] * spline_force(r, h_inv);
    s.ax -= f * l.x[i];
    s.ay -= f * l.y[i];
    s.az -= f * l.z[i];
    s.phi += l.m[i] * spline_potential(r, h_inv);
  }
}

}  // namespace weft::gravity::impl
