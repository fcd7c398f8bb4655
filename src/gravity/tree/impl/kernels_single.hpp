// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels.hpp"

// Single-precision evaluation of a group's interaction lists (the deck's
// gravity.precision = "single", the default). The lists are copied once per
// group into float columns relative to an origin near the group (its first
// target), so the differences target - source keep their relative accuracy
// (2^-24 of the distance, not of the coordinates), and in units of powers
// of two of the tree's side and mass (exact scalings, so float's range
// holds any deck's units); each target's terms are
// evaluated in float (16 lanes with AVX-512) and summed per lane in float,
// and the lanes are added in double. Pairs within the spline's support are
// evaluated one by one in double from the double lists, exactly as in
// kernels.hpp. A result differs from the double evaluation by ~1e-6
// relative, far below any opening criterion's error (docs/gravity-tree.md),
// and is the same whichever worker computes it. A target whose float sums
// are not finite (a node closer than ~1e-5 of the tree's side overflows
// r^-7) is evaluated again in double (evaluate() in group.hpp).
namespace weft::gravity::impl {

// SingleLists are a group's lists in float, relative to `origin`.
class SingleLists {
 public:
  // fill() copies the double lists, relative to origin, in units of the
  // powers of two at or above length_unit and mass_unit (> 0, finite; the
  // tree's side and mass keep every column near 1).
  void fill(const PointList& p, const QuadList& q, const double origin[3], double length_unit,
            double mass_unit) {
    for (int d = 0; d < 3; ++d) origin_[d] = origin[d];
    np_ = p.size();
    nq_ = q.size();
    // units: the powers of two at or above the given ones
    length_ = std::exp2(std::ceil(std::log2(length_unit)));
    mass_ = std::exp2(std::ceil(std::log2(mass_unit)));
    const double il = 1.0 / length_, im = 1.0 / mass_, iq = im * il * il;
    cp_ = (np_ + 15) / 16 * 16;
    cq_ = (nq_ + 15) / 16 * 16;
    if (pf_.size() < 4 * cp_) pf_.resize(4 * cp_);
    if (id_.size() < cp_) id_.resize(cp_);
    if (qf_.size() < 11 * cq_) qf_.resize(11 * cq_);
    for (int d = 0; d < 3; ++d) {
      const double* src = p.col(d);
      float* dst = pf_.data() + std::size_t(d) * cp_;
      for (std::size_t i = 0; i < np_; ++i) dst[i] = static_cast<float>((src[i] - origin[d]) * il);
    }
    {
      const double* m = p.col(3);
      const double* id = p.col(4);
      float* dst = pf_.data() + 3 * cp_;
      for (std::size_t i = 0; i < np_; ++i) {
        dst[i] = static_cast<float>(m[i] * im);
        id_[i] = static_cast<std::int32_t>(id[i]);
      }
    }
    for (int k = 0; k < 11; ++k) {
      const double* src = q.col(k);
      float* dst = qf_.data() + std::size_t(k) * cq_;
      const double shift = k < 3 ? origin[k] : 0.0;
      const double unit = k < 3 ? il : (k == 3 ? im : iq);
      for (std::size_t i = 0; i < nq_; ++i) dst[i] = static_cast<float>((src[i] - shift) * unit);
    }
  }
  std::size_t points() const noexcept { return np_; }
  std::size_t quads() const noexcept { return nq_; }
  const float* pcol(int k) const noexcept { return pf_.data() + std::size_t(k) * cp_; }
  const std::int32_t* ids() const noexcept { return id_.data(); }
  const float* qcol(int k) const noexcept { return qf_.data() + std::size_t(k) * cq_; }
  const double* origin() const noexcept { return origin_; }
  // length() and mass() are the units of the float columns.
  double length() const noexcept { return length_; }
  double mass() const noexcept { return mass_; }
  // target() is point t in the columns' frame and units.
  void target(const double* t, float out[3]) const noexcept {
    for (int d = 0; d < 3; ++d) out[d] = static_cast<float>((t[d] - origin_[d]) / length_);
  }
  // add() adds float-frame sums f (units mass / length^2 and mass / length)
  // to s.
  void add(const Sums& f, Sums& s) const noexcept {
    const double a = mass_ / (length_ * length_), p = mass_ / length_;
    s.ax += f.ax * a;
    s.ay += f.ay * a;
    s.az += f.az * a;
    s.phi += f.phi * p;
  }

 private:
  std::vector<float> pf_, qf_;
  std::vector<std::int32_t> id_;
  std::size_t np_ = 0, nq_ = 0, cp_ = 0, cq_ = 0;
  double origin_[3] = {0, 0, 0};
  double length_ = 1, mass_ = 1;
};

// near_pair() adds source j of the double list l (within h of the target,
// or at the border of the support as float saw it) through the spline.
inline void near_pair(const PointList& l, std::size_t j, const double* t, double h_inv, Sums& s) {
  const double ex = t[0] - l.col(0)[j], ey = t[1] - l.col(1)[j], ez = t[2] - l.col(2)[j];
  const double r = std::sqrt(ex * ex + ey * ey + ez * ez), mj = l.col(3)[j];
  const bool inside = r * h_inv < 1.0;
  const double fj = mj * (inside ? spline_force(r, h_inv) : 1.0 / (r * r * r));
  s.ax -= fj * ex;
  s.ay -= fj * ey;
  s.az -= fj * ez;
  s.phi += mj * (inside ? spline_potential(r, h_inv) : 1.0 / r);
}

#if defined(__AVX512F__)
inline __m512 rsqrt_single(__m512 q) {  // 14 bits, one Newton step: float's 24
  const __m512 y = _mm512_rsqrt14_ps(q);
  const __m512 hq = _mm512_mul_ps(_mm512_set1_ps(0.5f), q);
  return _mm512_mul_ps(y, _mm512_fnmadd_ps(hq, _mm512_mul_ps(y, y), _mm512_set1_ps(1.5f)));
}

inline __mmask16 live_lanes16(std::size_t n, std::size_t i) {
  return n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
}

// sum_lanes() adds the 16 float lanes in double (in lane order).
inline double sum_lanes(__m512 v) {
  alignas(64) float lane[16];
  _mm512_store_ps(lane, v);
  double sum = 0;
  for (const float x : lane) sum += double(x);
  return sum;
}

// points_single(): the point masses of S (double list l) on target t
// (absolute, double), but the source `self`.
inline void points_single(const SingleLists& S, const PointList& l, const double* t,
                          std::int64_t self, double eps2, double h2, double h_inv, Sums& s) {
  const std::size_t n = S.points();
  float tf[3];
  S.target(t, tf);
  const double l2 = S.length() * S.length();
  const __m512 tx = _mm512_set1_ps(tf[0]), ty = _mm512_set1_ps(tf[1]), tz = _mm512_set1_ps(tf[2]);
  const __m512 vh2 = _mm512_set1_ps(static_cast<float>(h2 / l2)),
               veps2 = _mm512_set1_ps(static_cast<float>(eps2 / l2)), one = _mm512_set1_ps(1.0f);
  const __m512i vself = _mm512_set1_epi32(static_cast<std::int32_t>(self));
  const float *x = S.pcol(0), *y = S.pcol(1), *z = S.pcol(2), *m = S.pcol(3);
  const std::int32_t* id = S.ids();
  __m512 ax = _mm512_setzero_ps(), ay = ax, az = ax, ph = ax;
  Sums close;
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 live = live_lanes16(n, i);
    const __m512 dx = _mm512_sub_ps(tx, _mm512_maskz_loadu_ps(live, x + i));
    const __m512 dy = _mm512_sub_ps(ty, _mm512_maskz_loadu_ps(live, y + i));
    const __m512 dz = _mm512_sub_ps(tz, _mm512_maskz_loadu_ps(live, z + i));
    const __m512 r2 = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, _mm512_mul_ps(dz, dz)));
    const __mmask16 mine =
        _mm512_mask_cmpneq_epi32_mask(live, _mm512_maskz_loadu_epi32(live, id + i), vself);
    const __mmask16 far = _mm512_mask_cmp_ps_mask(mine, r2, vh2, _CMP_GE_OQ);
    const __m512 rinv = rsqrt_single(_mm512_add_ps(_mm512_mask_blend_ps(far, one, r2), veps2));
    const __m512 mr = _mm512_maskz_mul_ps(far, _mm512_maskz_loadu_ps(live, m + i), rinv);
    const __m512 f = _mm512_mul_ps(mr, _mm512_mul_ps(rinv, rinv));
    ax = _mm512_fnmadd_ps(f, dx, ax);
    ay = _mm512_fnmadd_ps(f, dy, ay);
    az = _mm512_fnmadd_ps(f, dz, az);
    ph = _mm512_add_ps(ph, mr);
    for (unsigned b = mine & ~far & 0xffffu; b; b &= b - 1) {  // rare: within h
      near_pair(l, i + static_cast<std::size_t>(__builtin_ctz(b)), t, h_inv, close);
    }
  }
  S.add(Sums{sum_lanes(ax), sum_lanes(ay), sum_lanes(az), sum_lanes(ph)}, s);
  s.ax += close.ax;
  s.ay += close.ay;
  s.az += close.az;
  s.phi += close.phi;
}

// quadrupoles_single(): kernels.hpp's quadrupole_loop in float.
template <bool kTrace>
inline void quadrupoles_single(const SingleLists& S, const double* t, double eps2, Sums& s) {
  const std::size_t n = S.quads();
  float tf[3];
  S.target(t, tf);
  const double l2 = S.length() * S.length();
  const __m512 tx = _mm512_set1_ps(tf[0]), ty = _mm512_set1_ps(tf[1]), tz = _mm512_set1_ps(tf[2]);
  const __m512 veps2 = _mm512_set1_ps(static_cast<float>(eps2 / l2)), one = _mm512_set1_ps(1.0f);
  const __m512 third = _mm512_set1_ps(1.0f / 3.0f), half = _mm512_set1_ps(0.5f);
  const __m512 m3 = _mm512_set1_ps(-3.0f), m5 = _mm512_set1_ps(-5.0f);
  __m512 ax = _mm512_setzero_ps(), ay = ax, az = ax, ph = ax;
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 live = live_lanes16(n, i);
    auto load = [&](int k) { return _mm512_maskz_loadu_ps(live, S.qcol(k) + i); };
    const __m512 dx = _mm512_sub_ps(tx, load(0)), dy = _mm512_sub_ps(ty, load(1)),
                 dz = _mm512_sub_ps(tz, load(2));
    const __m512 r2 = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, _mm512_mul_ps(dz, dz)));
    const __m512 psi = rsqrt_single(_mm512_mask_blend_ps(live, one, _mm512_add_ps(r2, veps2)));
    const __m512 qinv = _mm512_mul_ps(psi, psi);
    const __m512 d1 = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(psi, qinv));
    const __m512 d2 = _mm512_mul_ps(_mm512_mul_ps(m3, d1), qinv);
    const __m512 d3 = _mm512_mul_ps(_mm512_mul_ps(m5, d2), qinv);
    const __m512 m = load(3), q3 = load(7), q4 = load(8), q5 = load(9);
    __m512 q0 = load(4), q1 = load(5), q2 = load(6), tr = _mm512_setzero_ps();
    if constexpr (kTrace) {
      tr = load(10);
      q0 = _mm512_add_ps(q0, tr);
      q1 = _mm512_add_ps(q1, tr);
      q2 = _mm512_add_ps(q2, tr);
    }
    const __m512 ix = _mm512_mul_ps(
        third, _mm512_fmadd_ps(q0, dx, _mm512_fmadd_ps(q3, dy, _mm512_mul_ps(q4, dz))));
    const __m512 iy = _mm512_mul_ps(
        third, _mm512_fmadd_ps(q3, dx, _mm512_fmadd_ps(q1, dy, _mm512_mul_ps(q5, dz))));
    const __m512 iz = _mm512_mul_ps(
        third, _mm512_fmadd_ps(q4, dx, _mm512_fmadd_ps(q5, dy, _mm512_mul_ps(q2, dz))));
    const __m512 xix = _mm512_fmadd_ps(dx, ix, _mm512_fmadd_ps(dy, iy, _mm512_mul_ps(dz, iz)));
    __m512 rad = _mm512_mul_ps(d3, xix), pq = _mm512_mul_ps(d2, xix);
    if constexpr (kTrace) {
      rad = _mm512_fmadd_ps(d2, tr, rad);
      pq = _mm512_fmadd_ps(d1, tr, pq);
    }
    const __m512 radial = _mm512_fmadd_ps(m, d1, _mm512_mul_ps(half, rad));
    ax = _mm512_add_ps(ax, _mm512_fmadd_ps(radial, dx, _mm512_mul_ps(d2, ix)));
    ay = _mm512_add_ps(ay, _mm512_fmadd_ps(radial, dy, _mm512_mul_ps(d2, iy)));
    az = _mm512_add_ps(az, _mm512_fmadd_ps(radial, dz, _mm512_mul_ps(d2, iz)));
    ph = _mm512_add_ps(ph, _mm512_fmadd_ps(m, psi, _mm512_mul_ps(half, pq)));
  }
  S.add(Sums{sum_lanes(ax), sum_lanes(ay), sum_lanes(az), sum_lanes(ph)}, s);
}
#else
// Without AVX-512: the same sums as loops the compiler vectorises.
inline void points_single(const SingleLists& S, const PointList& l, const double* t,
                          std::int64_t self, double eps2, double h2, double h_inv, Sums& s) {
  const std::size_t n = S.points();
  float tf[3];
  S.target(t, tf);
  const double l2 = S.length() * S.length();
  const float tx = tf[0], ty = tf[1], tz = tf[2];
  const float fh2 = static_cast<float>(h2 / l2), feps2 = static_cast<float>(eps2 / l2);
  const float *x = S.pcol(0), *y = S.pcol(1), *z = S.pcol(2), *m = S.pcol(3);
  const std::int32_t* id = S.ids();
  const auto me = static_cast<std::int32_t>(self);
  float ax = 0, ay = 0, az = 0, ph = 0;
  int near = 0;
#pragma omp simd reduction(+ : ax, ay, az, ph, near)
  for (std::size_t i = 0; i < n; ++i) {
    const float dx = tx - x[i], dy = ty - y[i], dz = tz - z[i];
    const float r2 = dx * dx + dy * dy + dz * dz;
    const bool far = r2 >= fh2 && id[i] != me;
    const float rinv = 1.0f / std::sqrt((far ? r2 : 1.0f) + feps2);
    const float mr = (far ? m[i] : 0.0f) * rinv;
    const float f = mr * rinv * rinv;
    ax -= f * dx;
    ay -= f * dy;
    az -= f * dz;
    ph += mr;
    near += (!far && id[i] != me) ? 1 : 0;
  }
  S.add(Sums{ax, ay, az, ph}, s);
  if (near == 0) return;
  for (std::size_t i = 0; i < n; ++i) {
    const float dx = tx - x[i], dy = ty - y[i], dz = tz - z[i];
    if (dx * dx + dy * dy + dz * dz < fh2 && id[i] != me) near_pair(l, i, t, h_inv, s);
  }
}

template <bool kTrace>
inline void quadrupoles_single(const SingleLists& S, const double* t, double eps2, Sums& s) {
  const std::size_t n = S.quads();
  float tf[3];
  S.target(t, tf);
  const double l2 = S.length() * S.length();
  const float tx = tf[0], ty = tf[1], tz = tf[2];
  const float feps2 = static_cast<float>(eps2 / l2);
  const float *x = S.qcol(0), *y = S.qcol(1), *z = S.qcol(2), *m = S.qcol(3);
  const float *q0 = S.qcol(4), *q1 = S.qcol(5), *q2 = S.qcol(6), *q3 = S.qcol(7), *q4 = S.qcol(8),
              *q5 = S.qcol(9), *tr = S.qcol(10);
  float ax = 0, ay = 0, az = 0, ph = 0;
#pragma omp simd reduction(+ : ax, ay, az, ph)
  for (std::size_t i = 0; i < n; ++i) {
    const float dx = tx - x[i], dy = ty - y[i], dz = tz - z[i];
    const float qinv = 1.0f / (dx * dx + dy * dy + dz * dz + feps2);
    const float psi = std::sqrt(qinv);
    const float d1 = -psi * qinv, d2 = -3.0f * d1 * qinv, d3 = -5.0f * d2 * qinv;
    const float trace = kTrace ? tr[i] : 0.0f;
    const float ix = (q0[i] * dx + q3[i] * dy + q4[i] * dz + trace * dx) / 3.0f;
    const float iy = (q3[i] * dx + q1[i] * dy + q5[i] * dz + trace * dy) / 3.0f;
    const float iz = (q4[i] * dx + q5[i] * dy + q2[i] * dz + trace * dz) / 3.0f;
    const float xix = dx * ix + dy * iy + dz * iz;
    const float radial = m[i] * d1 + 0.5f * (d2 * trace + d3 * xix);
    ax += radial * dx + d2 * ix;
    ay += radial * dy + d2 * iy;
    az += radial * dz + d2 * iz;
    ph += m[i] * psi + 0.5f * (d1 * trace + d2 * xix);
  }
  S.add(Sums{ax, ay, az, ph}, s);
}
#endif

// sums_single() is evaluate()'s per-target sums from S (filled from L).
inline void sums_single(const SingleLists& S, const PointList& l, const double* t,
                        std::int64_t self, double eps2, double h2, double h_inv, Sums& s) {
  points_single(S, l, t, self, eps2, h2, h_inv, s);
  if (eps2 > 0.0) {
    quadrupoles_single<true>(S, t, eps2, s);
  } else {
    quadrupoles_single<false>(S, t, eps2, s);
  }
}

}  // namespace weft::gravity::impl
