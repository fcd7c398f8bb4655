// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to pair_kernel.hpp: the portable kernel. For each atom i of a
// block it runs two loops: a vectorisable loop (gathers, no stores to shared
// data) computing the pair forces into a per-worker scratch array, then a
// scalar loop scattering -f onto the j atoms (Newton's third law). Workers
// accumulate into private force buffers reduced in worker order.

#include "../pair_kernel.hpp"

namespace weft::md {

template <class Style>
template <bool EFLAG, bool SINGLE>
void PairKernel<Style>::block(const NeighborBlock& blk, const real* __restrict x,
                              const real* __restrict y, const real* __restrict z,
                              const int* __restrict type, real* __restrict fx, real* __restrict fy,
                              real* __restrict fz, pair_detail::Scratch& sc, Tally6& t) const {
  const auto need = static_cast<std::size_t>(blk.max_per_atom) + 8;
  if (sc.tx.size() < need) {
    sc.tx.resize(need);
    sc.ty.resize(need);
    sc.tz.resize(need);
  }
  real* __restrict tx = sc.tx.data();
  real* __restrict ty = sc.ty.data();
  real* __restrict tz = sc.tz.data();
  const int nt = nt_;
  // Type pair 0 (the only one with SINGLE) hoisted out of the loops.
  const real cutsq0 = cutsq_[0];
  real f0[kF > 0 ? kF : 1], e0[kE > 0 ? kE : 1];
  const real* ft[kF > 0 ? kF : 1];
  const real* et[kE > 0 ? kE : 1];
  for (int m = 0; m < kF; ++m) {
    f0[m] = t_.force[static_cast<std::size_t>(m)][0];
    ft[m] = t_.force[static_cast<std::size_t>(m)].data();
  }
  for (int m = 0; m < kE; ++m) {
    e0[m] = t_.energy[static_cast<std::size_t>(m)][0];
    et[m] = t_.energy[static_cast<std::size_t>(m)].data();
  }
  const real* cutsq_t = cutsq_.data();
  real e = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
  const int* __restrict first = blk.first.data();
  const int* __restrict neigh = blk.neigh.data();
  for (index i = blk.ibegin; i < blk.iend; ++i) {
    const int* __restrict jl = neigh + first[i - blk.ibegin];
    const int n = first[i - blk.ibegin + 1] - first[i - blk.ibegin];
    const real xi = x[i], yi = y[i], zi = z[i];
    const int toff = SINGLE ? 0 : (type[i] - 1) * nt;
    real fxi = 0, fyi = 0, fzi = 0;
#pragma omp simd reduction(+ : fxi, fyi, fzi, e, vxx, vyy, vzz, vxy, vxz, vyz)
    for (int k = 0; k < n; ++k) {
      const int j = jl[k];
      const real dx = xi - x[j];
      const real dy = yi - y[j];
      const real dz = zi - z[j];
      const real rsq = dx * dx + dy * dy + dz * dz;
      const int tj = SINGLE ? 0 : toff + type[j] - 1;
      const real cutsq = SINGLE ? cutsq0 : cutsq_t[tj];
      // coefficient m of this pair (loop-invariant with SINGLE)
      auto fc = [&](int m) { return SINGLE ? f0[m] : ft[m][tj]; };
      auto ec = [&](int m) { return SINGLE ? e0[m] : et[m][tj]; };
      const real fpair = rsq < cutsq ? call_force<real>(rsq, fc) : 0.0;
      const real fxk = dx * fpair, fyk = dy * fpair, fzk = dz * fpair;
      fxi += fxk;
      fyi += fyk;
      fzi += fzk;
      tx[k] = fxk;
      ty[k] = fyk;
      tz[k] = fzk;
      if constexpr (EFLAG) {
        e += rsq < cutsq ? call_energy<real>(rsq, fc, ec) : 0.0;
        vxx += dx * fxk;
        vyy += dy * fyk;
        vzz += dz * fzk;
        vxy += dx * fyk;
        vxz += dx * fzk;
        vyz += dy * fzk;
      }
    }
    for (int k = 0; k < n; ++k) {
      const int j = jl[k];
      fx[j] -= tx[k];
      fy[j] -= ty[k];
      fz[j] -= tz[k];
    }
    fx[i] += fxi;
    fy[i] += fyi;
    fz[i] += fzi;
  }
  if constexpr (EFLAG) {
    t.e += e;
    t.vxx += vxx;
    t.vyy += vyy;
    t.vzz += vzz;
    t.vxy += vxy;
    t.vxz += vxz;
    t.vyz += vyz;
  }
}

// Portable path: SoA arrays, a vectorisable pair loop and a scalar scatter.
template <class Style>
void PairKernel<Style>::compute_generic(Context& ctx, const NeighborList& list, bool eflag,
                                        std::vector<Tally6>& tallies, GhostGate* gate,
                                        ReverseGate* reverse) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
  const bool single = nt_ == 1;
  const real* x = s.x.data();
  const real* y = s.y.data();
  const real* z = s.z.data();
  const int* type = s.type.data();
  pair_detail::for_blocks(list, gate, reverse, [&](const NeighborBlock& blk, int w) {
    real *fx, *fy, *fz;
    if (w == 0) {
      fx = s.fx.data();
      fy = s.fy.data();
      fz = s.fz.data();
    } else {
      auto& buf = fbuf_[static_cast<std::size_t>(w - 1)];
      fx = buf.data();
      fy = fx + nall;
      fz = fy + nall;
    }
    pair_detail::Scratch& sc = scratch_[static_cast<std::size_t>(w)];
    Tally6& t = tallies[static_cast<std::size_t>(w)];
    if (eflag) {
      if (single)
        block<true, true>(blk, x, y, z, type, fx, fy, fz, sc, t);
      else
        block<true, false>(blk, x, y, z, type, fx, fy, fz, sc, t);
    } else {
      if (single)
        block<false, true>(blk, x, y, z, type, fx, fy, fz, sc, t);
      else
        block<false, false>(blk, x, y, z, type, fx, fy, fz, sc, t);
    }
  });
  if (workers <= 1) return;
  // Each worker owns its buffer; reduce them in worker order (with a
  // reverse gate not the message ghosts: the reverse task did them).
  go::parallel_range(
      workers, reverse ? first_message_ghost(ctx) : nall,
      [&](std::int64_t lo, std::int64_t hi, int) { reduce_generic(s, workers, lo, hi); },
      "pair-reduce");
}

template <class Style>
void PairKernel<Style>::reduce_generic(System& s, int workers, index lo, index hi) {
  const index nall = s.nall() + 1;  // the buffers' stride
  for (int w = 0; w < workers - 1; ++w) {
    auto& buf = fbuf_[static_cast<std::size_t>(w)];
    const real* bx = buf.data();
    const real* by = bx + nall;
    const real* bz = by + nall;
    for (index i = lo; i < hi; ++i) {
      s.fx[static_cast<std::size_t>(i)] += bx[i];
      s.fy[static_cast<std::size_t>(i)] += by[i];
      s.fz[static_cast<std::size_t>(i)] += bz[i];
    }
  }
}

}  // namespace weft::md
