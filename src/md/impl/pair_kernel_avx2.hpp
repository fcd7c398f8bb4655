// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to pair_kernel.hpp: the AVX2 kernel. Positions are packed as
// (x, y, z, type) rows of 4 doubles, so the 4 neighbours of one SIMD step
// are 4 aligned loads and a 4x4 transpose (no gathers); the Newton reaction
// on j is transposed back and applied with one 4-wide load-subtract-store
// per neighbour. Lists are padded to a multiple of 4 with a far-away dummy
// atom, so there is no remainder loop. The style's functions run on
// simd::V4; with several atom types its coefficients are gathered by type
// pair.

// GCC 12 reports the unused source operand of _mm256_i32gather_pd as
// maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "../pair_kernel.hpp"

namespace weft::md {
namespace pair_detail {

inline void transpose4(__m256d a, __m256d b, __m256d c, __m256d d, __m256d& r0, __m256d& r1,
                       __m256d& r2, __m256d& r3) {
  const __m256d t0 = _mm256_unpacklo_pd(a, b);
  const __m256d t1 = _mm256_unpackhi_pd(a, b);
  const __m256d t2 = _mm256_unpacklo_pd(c, d);
  const __m256d t3 = _mm256_unpackhi_pd(c, d);
  r0 = _mm256_permute2f128_pd(t0, t2, 0x20);
  r1 = _mm256_permute2f128_pd(t1, t3, 0x20);
  r2 = _mm256_permute2f128_pd(t0, t2, 0x31);
  r3 = _mm256_permute2f128_pd(t1, t3, 0x31);
}

inline double hsum(__m256d v) {
  const __m128d lo = _mm256_castpd256_pd128(v);
  const __m128d hi = _mm256_extractf128_pd(v, 1);
  const __m128d s = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

}  // namespace pair_detail

template <class Style>
template <bool EFLAG, bool SINGLE>
void PairKernel<Style>::block_avx2(const NeighborBlock& blk, const double* __restrict pos4,
                                   double* __restrict f4, Tally6& t) const {
  using pair_detail::hsum;
  using pair_detail::transpose4;
  using simd::V4;
  const __m256d zero = _mm256_setzero_pd();
  const __m256d cutsq0 = _mm256_set1_pd(cutsq_[0]);
  V4 f0[kF > 0 ? kF : 1], e0[kE > 0 ? kE : 1];
  for (int m = 0; m < kF; ++m) f0[m] = V4{_mm256_set1_pd(t_.force[static_cast<std::size_t>(m)][0])};
  for (int m = 0; m < kE; ++m)
    e0[m] = V4{_mm256_set1_pd(t_.energy[static_cast<std::size_t>(m)][0])};
  __m256d ev = zero, vxx = zero, vyy = zero, vzz = zero, vxy = zero, vxz = zero, vyz = zero;
  const int* first = blk.first.data();
  const int* neigh = blk.neigh.data();
  for (index i = blk.ibegin; i < blk.iend; ++i) {
    const int* jl = neigh + first[i - blk.ibegin];
    const int n = first[i - blk.ibegin + 1] - first[i - blk.ibegin];
    const double* pi = pos4 + 4 * i;
    const __m256d xi = _mm256_set1_pd(pi[0]);
    const __m256d yi = _mm256_set1_pd(pi[1]);
    const __m256d zi = _mm256_set1_pd(pi[2]);
    const __m128i toff = _mm_set1_epi32(static_cast<int>(pi[3]) * nt_);
    __m256d fxi = zero, fyi = zero, fzi = zero;
    for (int k = 0; k < n; k += 4) {
      const int j0 = jl[k], j1 = jl[k + 1], j2 = jl[k + 2], j3 = jl[k + 3];
      __m256d X, Y, Z, W;
      transpose4(_mm256_load_pd(pos4 + 4 * j0), _mm256_load_pd(pos4 + 4 * j1),
                 _mm256_load_pd(pos4 + 4 * j2), _mm256_load_pd(pos4 + 4 * j3), X, Y, Z, W);
      const __m256d dx = _mm256_sub_pd(xi, X);
      const __m256d dy = _mm256_sub_pd(yi, Y);
      const __m256d dz = _mm256_sub_pd(zi, Z);
      const __m256d rsq = _mm256_fmadd_pd(dx, dx, _mm256_fmadd_pd(dy, dy, _mm256_mul_pd(dz, dz)));
      __m256d cutsq;
      __m128i idx = _mm_setzero_si128();
      if constexpr (SINGLE) {
        cutsq = cutsq0;
        (void)W;
      } else {
        idx = _mm_add_epi32(toff, _mm256_cvttpd_epi32(W));
        cutsq = _mm256_i32gather_pd(cutsq_.data(), idx, 8);
      }
      // coefficient m of these four pairs (broadcast constants with SINGLE)
      auto fc = [&](int m) {
        if constexpr (SINGLE)
          return f0[m];
        else
          return V4{_mm256_i32gather_pd(t_.force[static_cast<std::size_t>(m)].data(), idx, 8)};
      };
      auto ec = [&](int m) {
        if constexpr (SINGLE)
          return e0[m];
        else
          return V4{_mm256_i32gather_pd(t_.energy[static_cast<std::size_t>(m)].data(), idx, 8)};
      };
      const __m256d mask = _mm256_cmp_pd(rsq, cutsq, _CMP_LT_OQ);
      const __m256d fpair = _mm256_and_pd(mask, call_force<V4>(V4{rsq}, fc).v);
      const __m256d fx = _mm256_mul_pd(dx, fpair);
      const __m256d fy = _mm256_mul_pd(dy, fpair);
      const __m256d fz = _mm256_mul_pd(dz, fpair);
      fxi = _mm256_add_pd(fxi, fx);
      fyi = _mm256_add_pd(fyi, fy);
      fzi = _mm256_add_pd(fzi, fz);
      __m256d F0, F1, F2, F3;
      transpose4(fx, fy, fz, zero, F0, F1, F2, F3);
      double* q0 = f4 + 4 * j0;
      _mm256_store_pd(q0, _mm256_sub_pd(_mm256_load_pd(q0), F0));
      double* q1 = f4 + 4 * j1;
      _mm256_store_pd(q1, _mm256_sub_pd(_mm256_load_pd(q1), F1));
      double* q2 = f4 + 4 * j2;
      _mm256_store_pd(q2, _mm256_sub_pd(_mm256_load_pd(q2), F2));
      double* q3 = f4 + 4 * j3;
      _mm256_store_pd(q3, _mm256_sub_pd(_mm256_load_pd(q3), F3));
      if constexpr (EFLAG) {
        const __m256d e = call_energy<V4>(V4{rsq}, fc, ec).v;
        ev = _mm256_add_pd(ev, _mm256_and_pd(mask, e));
        vxx = _mm256_fmadd_pd(dx, fx, vxx);
        vyy = _mm256_fmadd_pd(dy, fy, vyy);
        vzz = _mm256_fmadd_pd(dz, fz, vzz);
        vxy = _mm256_fmadd_pd(dx, fy, vxy);
        vxz = _mm256_fmadd_pd(dx, fz, vxz);
        vyz = _mm256_fmadd_pd(dy, fz, vyz);
      }
    }
    double* fi = f4 + 4 * i;
    fi[0] += hsum(fxi);
    fi[1] += hsum(fyi);
    fi[2] += hsum(fzi);
  }
  if constexpr (EFLAG) {
    t.e += hsum(ev);
    t.vxx += hsum(vxx);
    t.vyy += hsum(vyy);
    t.vzz += hsum(vzz);
    t.vxy += hsum(vxy);
    t.vxz += hsum(vxz);
    t.vyz += hsum(vyz);
  }
}

template <class Style>
void PairKernel<Style>::pack4(const System& s, index lo, index hi) {
  double* pos4 = pos4_.data();
  for (index i = lo; i < hi; ++i) {
    const auto k = static_cast<std::size_t>(i);
    double* p = pos4 + 4 * i;
    p[0] = s.x[k];
    p[1] = s.y[k];
    p[2] = s.z[k];
    p[3] = static_cast<double>(s.type[k] - 1);
  }
}

template <class Style>
void PairKernel<Style>::compute_avx2(Context& ctx, const NeighborList& list, bool eflag,
                                     std::vector<Tally6>& tallies, GhostGate* gate,
                                     ReverseGate* reverse) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
  const bool single = nt_ == 1;
  const double* pos4 = pos4_.data();
  pair_detail::for_blocks(list, gate, reverse, [&](const NeighborBlock& blk, int w) {
    double* f4 = f4_[static_cast<std::size_t>(w)].data();
    Tally6& t = tallies[static_cast<std::size_t>(w)];
    if (eflag) {
      if (single)
        block_avx2<true, true>(blk, pos4, f4, t);
      else
        block_avx2<true, false>(blk, pos4, f4, t);
    } else {
      if (single)
        block_avx2<false, true>(blk, pos4, f4, t);
      else
        block_avx2<false, false>(blk, pos4, f4, t);
    }
  });
  // Unpack to SoA, adding the worker buffers in worker order (with a
  // reverse gate not the message ghosts: the reverse task did them).
  const index n = reverse ? first_message_ghost(ctx) : nall;
  go::parallel_range(
      workers, n, [&](std::int64_t lo, std::int64_t hi, int) { reduce_avx2(s, workers, lo, hi); },
      "pair-reduce");
}

template <class Style>
void PairKernel<Style>::reduce_avx2(System& s, int workers, index lo, index hi) {
  for (index i = lo; i < hi; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double* a = f4_[0].data() + 4 * i;
    double fx = a[0], fy = a[1], fz = a[2];
    for (int w = 1; w < workers; ++w) {
      const double* bw = f4_[static_cast<std::size_t>(w)].data() + 4 * i;
      fx += bw[0];
      fy += bw[1];
      fz += bw[2];
    }
    s.fx[k] = fx;
    s.fy[k] = fy;
    s.fz[k] = fz;
  }
}

}  // namespace weft::md
