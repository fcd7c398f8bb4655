// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__AVX512F__)
// GCC 12's AVX-512 headers read _mm512_undefined_pd() in inlined masked
// intrinsics, which -Wmaybe-uninitialized reports (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#endif

#include "weft/gravity/softening.hpp"

// Interaction lists of one group of targets and the loops that evaluate
// them for each target of the group. Lists hold absolute positions (shared
// by the group); each loop is an `omp simd` reduction the compiler
// vectorises (AVX-512/AVX2 with -march=native). Sums are in list order, so
// a target's result is the same whichever worker computes it.
namespace weft::gravity::impl {

// Sums accumulates sum_j m_j D1 dx (acceleration / G) and sum_j m_j psi
// (minus potential / G) of one target.
struct Sums {
  double ax = 0, ay = 0, az = 0, phi = 0;
};

// Columns is a structure of arrays of K columns of doubles, grown together
// (one size, one capacity: pushes cost one check).
template <int K>
class Columns {
 public:
  std::size_t size() const noexcept { return n_; }
  void clear() noexcept { n_ = 0; }
  const double* col(int k) const noexcept { return buf_.data() + std::size_t(k) * cap_; }
  // push() appends one row of K values.
  void push(const double* row) {
    if (n_ == cap_) grow();
    double* p = buf_.data() + n_;
    for (int k = 0; k < K; ++k) p[std::size_t(k) * cap_] = row[k];
    ++n_;
  }

 private:
  void grow() {
    const std::size_t cap = std::max<std::size_t>(1024, 2 * cap_);
    std::vector<double> b(K * cap);
    for (int k = 0; k < K; ++k) std::copy_n(col(k), n_, b.data() + std::size_t(k) * cap);
    buf_.swap(b);
    cap_ = cap;
  }
  std::vector<double> buf_;
  std::size_t n_ = 0, cap_ = 0;
};

// PointList: point masses: columns x y z m and id, the source's curve
// position (as a double, exact below 2^53; -1 for monopole nodes).
struct PointList : Columns<5> {
  void push(double px, double py, double pz, double mass, std::int64_t ident) {
    const double row[5] = {px, py, pz, mass, double(ident)};
    Columns<5>::push(row);
  }
};

// QuadList: nodes: columns x y z (centre of mass), m, quadrupole q0..q5
// (traceless, xx yy zz xy xz yz) and tr, the trace of the second moments
// (used only with Plummer softening, 0 otherwise).
struct QuadList : Columns<11> {
  void push(const double* c, double mass, const double* q, double trace) {
    const double row[11] = {c[0], c[1], c[2], mass, q[0], q[1], q[2], q[3], q[4], q[5], trace};
    Columns<11>::push(row);
  }
};

// points_generic() adds the point masses of l to the target at t (but the source
// `self`): psi = (r^2 + eps2)^(-1/2), D1 = -psi^3. Pairs closer than the
// spline support (r^2 < h2; h2 < 0 for Plummer) are left out and counted:
// the return value (near_points() adds them).
inline int points_generic(const PointList& l, const double* t, std::int64_t self, double eps2,
                          double h2, Sums& s) {
  const double *x = l.col(0), *y = l.col(1), *z = l.col(2), *m = l.col(3), *id = l.col(4);
  const std::size_t n = l.size();
  const double tx = t[0], ty = t[1], tz = t[2], me = double(self);
  double ax = 0, ay = 0, az = 0, ph = 0;
  double near = 0;  // a double: one vector type in the loop
#pragma omp simd reduction(+ : ax, ay, az, ph, near)
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = tx - x[i], dy = ty - y[i], dz = tz - z[i];
    const double r2 = dx * dx + dy * dy + dz * dz;
    const bool far = r2 >= h2;
    const double rinv = 1.0 / std::sqrt((far ? r2 : 1.0) + eps2);
    const double mr = (far && id[i] != me ? m[i] : 0.0) * rinv;
    const double f = mr * rinv * rinv;
    ax -= f * dx;
    ay -= f * dy;
    az -= f * dz;
    ph += mr;
    near += far || id[i] == me ? 0.0 : 1.0;
  }
  s.ax += ax;
  s.ay += ay;
  s.az += az;
  s.phi += ph;
  return static_cast<int>(near);
}

// near_points() adds the pairs points() left out, through the spline
// kernel of support h (h_inv = 1/h), but the source `self`.
inline void near_points(const PointList& l, const double* t, std::int64_t self, double h2,
                        double h_inv, Sums& s) {
  const double *x = l.col(0), *y = l.col(1), *z = l.col(2), *m = l.col(3), *id = l.col(4);
  for (std::size_t i = 0; i < l.size(); ++i) {
    const double dx = t[0] - x[i], dy = t[1] - y[i], dz = t[2] - z[i];
    const double r2 = dx * dx + dy * dy + dz * dz;
    if (r2 >= h2 || id[i] == double(self)) continue;
    const double r = std::sqrt(r2);
    const double f = m[i] * spline_force(r, h_inv);
    s.ax -= f * dx;
    s.ay -= f * dy;
    s.az -= f * dz;
    s.phi += m[i] * spline_potential(r, h_inv);
  }
}

// quadrupoles_generic() adds nodes to second order. With psi(q) = q^(-1/2),
// q = r^2 + eps2, and D_n = (d/(r dr))^n psi: D1 = -q^(-3/2), D2 = 3 q^(-5/2),
// D3 = -15 q^(-7/2). For second moments I = (Q + tr 1) / 3 about the centre
// of mass and x = target - centre of mass, the expansion of
// sum m psi(|x - s|) is
//   phi = M psi + (D1 tr(I) + D2 x.I.x) / 2
//   a/G = M D1 x + D2 I x + (D2 tr(I) + D3 x.I.x) x / 2,
// which for eps2 = 0 and tr = 0 is the Newtonian quadrupole
//   a/G = -M x / r^3 + Q x / r^5 - 5/2 (x.Q.x) x / r^7.
inline void quadrupoles_generic(const QuadList& l, const double* t, double eps2, Sums& s) {
  const double *x = l.col(0), *y = l.col(1), *z = l.col(2), *m = l.col(3);
  const double *q0 = l.col(4), *q1 = l.col(5), *q2 = l.col(6), *q3 = l.col(7), *q4 = l.col(8),
               *q5 = l.col(9), *tr = l.col(10);
  const std::size_t n = l.size();
  const double tx = t[0], ty = t[1], tz = t[2];
  double ax = 0, ay = 0, az = 0, ph = 0;
#pragma omp simd reduction(+ : ax, ay, az, ph)
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = tx - x[i], dy = ty - y[i], dz = tz - z[i];
    const double r2 = dx * dx + dy * dy + dz * dz;
    const double qinv = 1.0 / (r2 + eps2);
    const double psi = std::sqrt(qinv);
    const double d1 = -psi * qinv, d2 = -3.0 * d1 * qinv, d3 = -5.0 * d2 * qinv;
    const double trace = tr[i];
    constexpr double third = 1.0 / 3.0;
    const double ix = third * (q0[i] * dx + q3[i] * dy + q4[i] * dz + trace * dx);
    const double iy = third * (q3[i] * dx + q1[i] * dy + q5[i] * dz + trace * dy);
    const double iz = third * (q4[i] * dx + q5[i] * dy + q2[i] * dz + trace * dz);
    const double xix = dx * ix + dy * iy + dz * iz;
    const double radial = m[i] * d1 + 0.5 * (d2 * trace + d3 * xix);
    ax += radial * dx + d2 * ix;
    ay += radial * dy + d2 * iy;
    az += radial * dz + d2 * iz;
    ph += m[i] * psi + 0.5 * (d1 * trace + d2 * xix);
  }
  s.ax += ax;
  s.ay += ay;
  s.az += az;
  s.phi += ph;
}

#if defined(__AVX512F__)
// The same loops with AVX-512 intrinsics: 1/sqrt from vrsqrt14pd and two
// Newton steps (14 -> 28 -> 53 bits; a few ulp from the correctly rounded
// value) instead of vsqrtpd + vdivpd, which bound the generic loops.
inline __m512d rsqrt(__m512d q) {
  const __m512d half = _mm512_set1_pd(0.5), three_halves = _mm512_set1_pd(1.5);
  __m512d y = _mm512_rsqrt14_pd(q);
  const __m512d hq = _mm512_mul_pd(half, q);
  y = _mm512_mul_pd(y, _mm512_fnmadd_pd(hq, _mm512_mul_pd(y, y), three_halves));
  y = _mm512_mul_pd(y, _mm512_fnmadd_pd(hq, _mm512_mul_pd(y, y), three_halves));
  return y;
}

inline __mmask8 live_lanes(std::size_t n, std::size_t i) {
  return n - i >= 8 ? __mmask8(0xff) : __mmask8((1u << (n - i)) - 1);
}

inline void points(const PointList& l, const double* t, std::int64_t self, double eps2, double h2,
                   double h_inv, Sums& s) {
  const std::size_t n = l.size();
  Sums close;  // pairs within the spline's support, in list order
  const __m512d tx = _mm512_set1_pd(t[0]), ty = _mm512_set1_pd(t[1]), tz = _mm512_set1_pd(t[2]);
  const __m512d vh2 = _mm512_set1_pd(h2), veps2 = _mm512_set1_pd(eps2), one = _mm512_set1_pd(1.0);
  const __m512d vself = _mm512_set1_pd(double(self));
  __m512d ax = _mm512_setzero_pd(), ay = ax, az = ax, ph = ax;
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 live = live_lanes(n, i);
    const __m512d dx = _mm512_sub_pd(tx, _mm512_maskz_loadu_pd(live, l.col(0) + i));
    const __m512d dy = _mm512_sub_pd(ty, _mm512_maskz_loadu_pd(live, l.col(1) + i));
    const __m512d dz = _mm512_sub_pd(tz, _mm512_maskz_loadu_pd(live, l.col(2) + i));
    const __m512d r2 = _mm512_fmadd_pd(dx, dx, _mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dz, dz)));
    const __mmask8 far = _mm512_cmp_pd_mask(r2, vh2, _CMP_GE_OQ) & live;
    const __m512d id = _mm512_maskz_loadu_pd(live, l.col(4) + i);
    const __mmask8 use = far & _mm512_cmp_pd_mask(id, vself, _CMP_NEQ_UQ);
    const __m512d rinv = rsqrt(_mm512_add_pd(_mm512_mask_blend_pd(far, one, r2), veps2));
    const __m512d mr = _mm512_maskz_mul_pd(use, _mm512_maskz_loadu_pd(live, l.col(3) + i), rinv);
    const __m512d f = _mm512_mul_pd(mr, _mm512_mul_pd(rinv, rinv));
    ax = _mm512_fnmadd_pd(f, dx, ax);
    ay = _mm512_fnmadd_pd(f, dy, ay);
    az = _mm512_fnmadd_pd(f, dz, az);
    ph = _mm512_add_pd(ph, mr);
    const unsigned within = live & ~far & _mm512_cmp_pd_mask(id, vself, _CMP_NEQ_UQ);
    if (within) {  // rare: a source within h of the target
      for (unsigned b = within; b; b &= b - 1) {
        const std::size_t j = i + static_cast<std::size_t>(__builtin_ctz(b));
        const double ex = t[0] - l.col(0)[j], ey = t[1] - l.col(1)[j], ez = t[2] - l.col(2)[j];
        const double r = std::sqrt(ex * ex + ey * ey + ez * ez), mj = l.col(3)[j];
        const double fj = mj * spline_force(r, h_inv);
        close.ax -= fj * ex;
        close.ay -= fj * ey;
        close.az -= fj * ez;
        close.phi += mj * spline_potential(r, h_inv);
      }
    }
  }
  s.ax += _mm512_reduce_add_pd(ax);
  s.ay += _mm512_reduce_add_pd(ay);
  s.az += _mm512_reduce_add_pd(az);
  s.phi += _mm512_reduce_add_pd(ph);
  s.ax += close.ax;
  s.ay += close.ay;
  s.az += close.az;
  s.phi += close.phi;
}

// quadrupole_loop<kTrace>(): kTrace false skips the trace terms (the
// lists of spline softening carry tr = 0: Newtonian multipoles).
template <bool kTrace>
inline void quadrupole_loop(const QuadList& l, const double* t, double eps2, Sums& s) {
  const std::size_t n = l.size();
  const __m512d tx = _mm512_set1_pd(t[0]), ty = _mm512_set1_pd(t[1]), tz = _mm512_set1_pd(t[2]);
  const __m512d veps2 = _mm512_set1_pd(eps2), one = _mm512_set1_pd(1.0);
  const __m512d third = _mm512_set1_pd(1.0 / 3.0), half = _mm512_set1_pd(0.5);
  const __m512d m3 = _mm512_set1_pd(-3.0), m5 = _mm512_set1_pd(-5.0);
  __m512d ax = _mm512_setzero_pd(), ay = ax, az = ax, ph = ax;
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 live = live_lanes(n, i);
    auto load = [&](int k) { return _mm512_maskz_loadu_pd(live, l.col(k) + i); };
    const __m512d dx = _mm512_sub_pd(tx, load(0)), dy = _mm512_sub_pd(ty, load(1)),
                  dz = _mm512_sub_pd(tz, load(2));
    const __m512d r2 = _mm512_fmadd_pd(dx, dx, _mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dz, dz)));
    // dead lanes: q = 1 keeps them finite (their masses are 0)
    const __m512d psi = rsqrt(_mm512_mask_blend_pd(live, one, _mm512_add_pd(r2, veps2)));
    const __m512d qinv = _mm512_mul_pd(psi, psi);
    const __m512d d1 = _mm512_sub_pd(_mm512_setzero_pd(), _mm512_mul_pd(psi, qinv));
    const __m512d d2 = _mm512_mul_pd(_mm512_mul_pd(m3, d1), qinv);
    const __m512d d3 = _mm512_mul_pd(_mm512_mul_pd(m5, d2), qinv);
    const __m512d m = load(3), q3 = load(7), q4 = load(8), q5 = load(9);
    __m512d q0 = load(4), q1 = load(5), q2 = load(6), tr = _mm512_setzero_pd();
    if constexpr (kTrace) {
      tr = load(10);
      q0 = _mm512_add_pd(q0, tr);
      q1 = _mm512_add_pd(q1, tr);
      q2 = _mm512_add_pd(q2, tr);
    }
    const __m512d ix = _mm512_mul_pd(
        third, _mm512_fmadd_pd(q0, dx, _mm512_fmadd_pd(q3, dy, _mm512_mul_pd(q4, dz))));
    const __m512d iy = _mm512_mul_pd(
        third, _mm512_fmadd_pd(q3, dx, _mm512_fmadd_pd(q1, dy, _mm512_mul_pd(q5, dz))));
    const __m512d iz = _mm512_mul_pd(
        third, _mm512_fmadd_pd(q4, dx, _mm512_fmadd_pd(q5, dy, _mm512_mul_pd(q2, dz))));
    const __m512d xix = _mm512_fmadd_pd(dx, ix, _mm512_fmadd_pd(dy, iy, _mm512_mul_pd(dz, iz)));
    __m512d rad = _mm512_mul_pd(d3, xix), pq = _mm512_mul_pd(d2, xix);
    if constexpr (kTrace) {
      rad = _mm512_fmadd_pd(d2, tr, rad);
      pq = _mm512_fmadd_pd(d1, tr, pq);
    }
    const __m512d radial = _mm512_fmadd_pd(m, d1, _mm512_mul_pd(half, rad));
    ax = _mm512_add_pd(ax, _mm512_fmadd_pd(radial, dx, _mm512_mul_pd(d2, ix)));
    ay = _mm512_add_pd(ay, _mm512_fmadd_pd(radial, dy, _mm512_mul_pd(d2, iy)));
    az = _mm512_add_pd(az, _mm512_fmadd_pd(radial, dz, _mm512_mul_pd(d2, iz)));
    ph = _mm512_add_pd(ph, _mm512_fmadd_pd(m, psi, _mm512_mul_pd(half, pq)));
  }
  s.ax += _mm512_reduce_add_pd(ax);
  s.ay += _mm512_reduce_add_pd(ay);
  s.az += _mm512_reduce_add_pd(az);
  s.phi += _mm512_reduce_add_pd(ph);
}

// quadrupoles(): the trace terms only with Plummer softening (eps2 > 0).
inline void quadrupoles(const QuadList& l, const double* t, double eps2, Sums& s) {
  if (eps2 > 0.0) {
    quadrupole_loop<true>(l, t, eps2, s);
  } else {
    quadrupole_loop<false>(l, t, eps2, s);
  }
}
#else
// points() and quadrupoles() are the generic loops without AVX-512:
// points() adds the point masses, those within the spline's support through
// the kernel.
inline void points(const PointList& l, const double* t, std::int64_t self, double eps2, double h2,
                   double h_inv, Sums& s) {
  if (points_generic(l, t, self, eps2, h2, s) > 0) near_points(l, t, self, h2, h_inv, s);
}
inline void quadrupoles(const QuadList& l, const double* t, double eps2, Sums& s) {
  quadrupoles_generic(l, t, eps2, s);
}
#endif

}  // namespace weft::gravity::impl
