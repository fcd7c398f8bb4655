// SPDX-License-Identifier: Apache-2.0
// LjCut: the Lennard-Jones 12-6 pair potential with LAMMPS lj/cut
// conventions: E = 4 eps [(s/r)^12 - (s/r)^6] for r < rc (minus E(rc) with
// shift), per-type-pair eps, sigma and rc, geometric or arithmetic mixing of
// unspecified pairs, and the analytic tail corrections of LAMMPS
// pair_modify tail yes.
//
// The kernel walks the half neighbour list of one block of owned atoms. For
// each atom i it runs two loops: a vectorisable loop (gathers, no stores to
// shared data) computing the pair forces into a per-thread scratch array,
// then a scalar loop scattering -f onto the j atoms (Newton's third law).
// Threads accumulate into private force buffers reduced in thread order,
// so results are bit-identical for a given thread count.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include <cstdlib>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define WEFT_MD_AVX2 1
// GCC 12 reports the unused source operand of _mm256_i32gather_pd as
// maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "interfaces.hpp"
#include "parallel.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {
namespace {

struct Scratch {
  std::vector<real> tx, ty, tz;
};

// AlignedBuffer: 64-byte aligned doubles (rows of 4 doubles never straddle
// a cache line).
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer() { std::free(p_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr; o.n_ = 0; }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  void reserve(std::size_t n) {
    if (n <= n_) return;
    std::free(p_);
    n_ = (n + 7) / 8 * 8 * 2;
    p_ = static_cast<double*>(std::aligned_alloc(64, n_ * sizeof(double)));
    if (!p_) throw std::bad_alloc();
  }
  double* data() { return p_; }

 private:
  double* p_ = nullptr;
  std::size_t n_ = 0;
};

struct Tally6 {
  real e = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
};

class LjCut final : public Force {
 public:
  void init(Context& ctx) override;
  real max_cutoff() const override { return cutmax_; }
  std::vector<real> cutoffs() const override { return cut_; }
  void compute(Context& ctx, const NeighborList& list, bool eflag, ForceTally& tally,
               GhostGate* gate) override;
  void begin_overlap(Context& ctx) override { prepare(ctx, false); }
  void ghosts_moved(Context& ctx, index first, index n) override;
  real etail(real volume) const override { return etail_ / volume; }
  real ptail(real volume) const override { return ptail_ / volume; }

 private:
  int nt_ = 1;
  std::vector<real> cut_, cutsq_, lj1_, lj2_, lj3_, lj4_, offset_;
  real cutmax_ = 0;
  real etail_ = 0, ptail_ = 0;
  std::vector<std::vector<real>> fbuf_;  // per extra worker: fx | fy | fz
  std::vector<Scratch> scratch_;
  AlignedBuffer pos4_;                  // x, y, z, type-1 per atom (SIMD path)
  std::vector<AlignedBuffer> f4_;       // per worker: fx, fy, fz, 0 per atom

  // prepare() sizes and zeroes the force buffers and stages positions for
  // the SIMD kernel (owned atoms and the padding dummy; ghosts too if asked).
  void prepare(Context& ctx, bool with_ghosts);
  void compute_generic(Context& ctx, const NeighborList& list, bool eflag, std::vector<Tally6>& tallies,
                       GhostGate* gate);
#ifdef WEFT_MD_AVX2
  void pack4(const System& s, index lo, index hi);
  void compute_avx2(Context& ctx, const NeighborList& list, bool eflag, std::vector<Tally6>& tallies,
                    GhostGate* gate);
  template <bool EFLAG, bool SINGLE>
  void block_avx2(const NeighborBlock& blk, const double* pos4, double* f4, Tally6& t) const;
#endif

  template <bool EFLAG, bool SINGLE>
  void block(const NeighborBlock& blk, const real* x, const real* y, const real* z,
             const int* type, real* fx, real* fy, real* fz, Scratch& sc, Tally6& t) const;
};

void LjCut::init(Context& ctx) {
  const PairConfig& pc = ctx.cfg.pair;
  const int nt = ctx.sys.ntypes();
  nt_ = nt;
  const auto n2 = static_cast<std::size_t>(nt * nt);
  std::vector<real> eps(n2, 0), sig(n2, 0), cut(n2, 0);
  std::vector<char> set(n2, 0);
  auto at = [nt](int i, int j) { return static_cast<std::size_t>((i - 1) * nt + (j - 1)); };
  if (pc.coeffs.empty()) {
    for (int i = 1; i <= nt; ++i) {
      eps[at(i, i)] = 1;
      sig[at(i, i)] = 1;
      cut[at(i, i)] = pc.cutoff;
      set[at(i, i)] = 1;
    }
  }
  for (const PairCoeff& c : pc.coeffs) {
    const int i = c.types[0], j = c.types[1];
    if (i < 1 || j < 1 || i > nt || j > nt) {
      std::ostringstream m;
      m << "pair coefficient for types (" << i << ", " << j << ") refers to a type that does not exist; "
        << "the system has " << nt << " atom type(s)";
      throw InputError(m.str());
    }
    const real rc = c.cutoff > 0 ? c.cutoff : pc.cutoff;
    for (auto k : {at(i, j), at(j, i)}) {
      eps[k] = c.epsilon;
      sig[k] = c.sigma;
      cut[k] = rc;
      set[k] = 1;
    }
  }
  for (int i = 1; i <= nt; ++i) {
    if (!set[at(i, i)]) {
      std::ostringstream m;
      m << "no pair coefficients for atom type " << i << " with itself: add a [[pair.coeffs]] entry "
        << "with types = [" << i << ", " << i << "]";
      throw InputError(m.str());
    }
  }
  const bool arith = pc.mixing == "arithmetic";
  for (int i = 1; i <= nt; ++i)
    for (int j = 1; j <= nt; ++j) {
      if (set[at(i, j)]) continue;
      eps[at(i, j)] = std::sqrt(eps[at(i, i)] * eps[at(j, j)]);
      if (arith) {
        sig[at(i, j)] = 0.5 * (sig[at(i, i)] + sig[at(j, j)]);
        cut[at(i, j)] = 0.5 * (cut[at(i, i)] + cut[at(j, j)]);
      } else {
        sig[at(i, j)] = std::sqrt(sig[at(i, i)] * sig[at(j, j)]);
        cut[at(i, j)] = std::sqrt(cut[at(i, i)] * cut[at(j, j)]);
      }
    }
  cut_ = cut;
  cutsq_.resize(n2); lj1_.resize(n2); lj2_.resize(n2); lj3_.resize(n2); lj4_.resize(n2);
  offset_.assign(n2, 0);
  cutmax_ = 0;
  for (std::size_t k = 0; k < n2; ++k) {
    cutsq_[k] = cut[k] * cut[k];
    lj1_[k] = 48.0 * eps[k] * std::pow(sig[k], 12.0);
    lj2_[k] = 24.0 * eps[k] * std::pow(sig[k], 6.0);
    lj3_[k] = 4.0 * eps[k] * std::pow(sig[k], 12.0);
    lj4_[k] = 4.0 * eps[k] * std::pow(sig[k], 6.0);
    if (pc.shift && cut[k] > 0) {
      const real ratio = sig[k] / cut[k];
      offset_[k] = 4.0 * eps[k] * (std::pow(ratio, 12.0) - std::pow(ratio, 6.0));
    }
    cutmax_ = std::max(cutmax_, cut[k]);
  }
  // Tail corrections (LAMMPS PairLJCut::init_one), summed over i <= j with
  // off-diagonal pairs counted twice.
  etail_ = ptail_ = 0;
  if (pc.tail) {
    std::vector<real> count(static_cast<std::size_t>(nt), 0), all(static_cast<std::size_t>(nt), 0);
    for (index a = 0; a < ctx.sys.nlocal; ++a) count[static_cast<std::size_t>(ctx.sys.type[static_cast<std::size_t>(a)] - 1)] += 1.0;
    mpi::allreduce(count.data(), all.data(), nt, MPI_SUM, ctx.comm);
    for (int i = 1; i <= nt; ++i)
      for (int j = i; j <= nt; ++j) {
        const std::size_t k = at(i, j);
        const real sig2 = sig[k] * sig[k];
        const real sig6 = sig2 * sig2 * sig2;
        const real rc3 = cut[k] * cut[k] * cut[k];
        const real rc6 = rc3 * rc3;
        const real rc9 = rc3 * rc6;
        const real prefactor = 8.0 * std::numbers::pi * all[static_cast<std::size_t>(i - 1)] *
                               all[static_cast<std::size_t>(j - 1)] * eps[k] * sig6 / (9.0 * rc9);
        const real e = prefactor * (sig6 - 3.0 * rc6);
        const real p = 2.0 * prefactor * (2.0 * sig6 - 3.0 * rc6);
        etail_ += (i == j) ? e : 2.0 * e;
        ptail_ += (i == j) ? p : 2.0 * p;
      }
  }
}

template <bool EFLAG, bool SINGLE>
void LjCut::block(const NeighborBlock& blk, const real* __restrict x, const real* __restrict y,
                  const real* __restrict z, const int* __restrict type, real* __restrict fx,
                  real* __restrict fy, real* __restrict fz, Scratch& sc, Tally6& t) const {
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
  const real cutsq0 = cutsq_[0], lj10 = lj1_[0], lj20 = lj2_[0], lj30 = lj3_[0], lj40 = lj4_[0],
             off0 = offset_[0];
  const real* cutsq_t = cutsq_.data();
  const real* lj1_t = lj1_.data();
  const real* lj2_t = lj2_.data();
  const real* lj3_t = lj3_.data();
  const real* lj4_t = lj4_.data();
  const real* off_t = offset_.data();
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
      real cutsq, lj1, lj2;
      int tj = 0;
      if constexpr (SINGLE) {
        cutsq = cutsq0; lj1 = lj10; lj2 = lj20;
      } else {
        tj = toff + type[j] - 1;
        cutsq = cutsq_t[tj]; lj1 = lj1_t[tj]; lj2 = lj2_t[tj];
      }
      const real r2inv = 1.0 / rsq;
      const real r6inv = r2inv * r2inv * r2inv;
      const real forcelj = r6inv * (lj1 * r6inv - lj2);
      const real fpair = rsq < cutsq ? forcelj * r2inv : 0.0;
      const real fxk = dx * fpair, fyk = dy * fpair, fzk = dz * fpair;
      fxi += fxk;
      fyi += fyk;
      fzi += fzk;
      tx[k] = fxk;
      ty[k] = fyk;
      tz[k] = fzk;
      if constexpr (EFLAG) {
        real lj3, lj4, off;
        if constexpr (SINGLE) {
          lj3 = lj30; lj4 = lj40; off = off0;
        } else {
          lj3 = lj3_t[tj]; lj4 = lj4_t[tj]; off = off_t[tj];
        }
        e += rsq < cutsq ? r6inv * (lj3 * r6inv - lj4) - off : 0.0;
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
    t.e += e; t.vxx += vxx; t.vyy += vyy; t.vzz += vzz; t.vxy += vxy; t.vxz += vxz; t.vyz += vyz;
  }
}

// use_avx2() tells whether the SIMD kernel runs (WEFT_MD_KERNEL=generic
// selects the portable kernel, for comparison).
bool use_avx2() {
#ifdef WEFT_MD_AVX2
  static const bool generic = [] {
    const char* k = std::getenv("WEFT_MD_KERNEL");
    return k != nullptr && std::strcmp(k, "generic") == 0;
  }();
  return !generic;
#else
  return false;
#endif
}

// for_blocks() runs fn(block, worker) over the list's schedule. With a gate,
// a border block first waits for the swaps it reads, and while ghosts are
// still on their way a worker yields between blocks so the communication
// task gets to unpack (and post the next stage) promptly.
template <class F>
void for_blocks(const NeighborList& list, GhostGate* gate, F&& fn) {
  detail::parallel_schedule(list.schedule, [&](std::int64_t b, int w) {
    const NeighborBlock& blk = list.blocks[static_cast<std::size_t>(b)];
    if (gate && !gate->complete()) {
      weft::go::yield();
      gate->wait(blk.ghost_swaps);
      if (!gate->complete()) gate->note_early(blk.npairs);
    }
    fn(blk, w);
  }, "pair");
}

void LjCut::compute(Context& ctx, const NeighborList& list, bool eflag, ForceTally& tally, GhostGate* gate) {
  const int workers = std::max(1, ctx.threads);
  std::vector<Tally6> tallies(static_cast<std::size_t>(workers));
  if (!gate) prepare(ctx, true);
#ifdef WEFT_MD_AVX2
  if (use_avx2()) compute_avx2(ctx, list, eflag, tallies, gate);
  else compute_generic(ctx, list, eflag, tallies, gate);
#else
  compute_generic(ctx, list, eflag, tallies, gate);
#endif
  if (eflag) {
    Tally6 sum;
    for (const Tally6& t : tallies) {
      sum.e += t.e; sum.vxx += t.vxx; sum.vyy += t.vyy; sum.vzz += t.vzz;
      sum.vxy += t.vxy; sum.vxz += t.vxz; sum.vyz += t.vyz;
    }
    tally.energy = sum.e;
    tally.virial << sum.vxx, sum.vxy, sum.vxz, sum.vxy, sum.vyy, sum.vyz, sum.vxz, sum.vyz, sum.vzz;
  }
}

void LjCut::prepare(Context& ctx, bool with_ghosts) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
#ifdef WEFT_MD_AVX2
  if (use_avx2()) {
    if (static_cast<int>(f4_.size()) < workers) f4_.resize(static_cast<std::size_t>(workers));
    const auto n4 = static_cast<std::size_t>(4 * nall);
    pos4_.reserve(n4);
    for (auto& b : f4_) b.reserve(n4);
    const index packed = with_ghosts ? nall : s.nlocal;
    detail::parallel_range(workers, nall, [&](std::int64_t lo, std::int64_t hi, int) {
      pack4(s, lo, std::min<std::int64_t>(hi, packed));
      for (int w = 0; w < workers; ++w)
        std::memset(f4_[static_cast<std::size_t>(w)].data() + 4 * lo, 0,
                    static_cast<std::size_t>(4 * (hi - lo)) * sizeof(double));
    }, "pair-reduce");
    if (!with_ghosts) pack4(s, nall - 1, nall);  // the dummy
    return;
  }
#endif
  (void)with_ghosts;
  if (static_cast<int>(scratch_.size()) < workers) scratch_.resize(static_cast<std::size_t>(workers));
  if (static_cast<int>(fbuf_.size()) < workers - 1) fbuf_.resize(static_cast<std::size_t>(workers - 1));
  for (auto& buf : fbuf_)
    if (static_cast<index>(buf.size()) < 3 * nall) buf.resize(static_cast<std::size_t>(3 * nall));
  detail::parallel_range(workers, nall, [&](std::int64_t lo, std::int64_t hi, int) {
    std::fill(s.fx.data() + lo, s.fx.data() + hi, 0.0);
    std::fill(s.fy.data() + lo, s.fy.data() + hi, 0.0);
    std::fill(s.fz.data() + lo, s.fz.data() + hi, 0.0);
    for (int w = 0; w < workers - 1; ++w) {
      auto& buf = fbuf_[static_cast<std::size_t>(w)];
      for (int c = 0; c < 3; ++c) std::fill(buf.data() + c * nall + lo, buf.data() + c * nall + hi, 0.0);
    }
  }, "pair-reduce");
}

void LjCut::ghosts_moved(Context& ctx, index first, index n) {
#ifdef WEFT_MD_AVX2
  if (use_avx2()) pack4(ctx.sys, first, first + n);
#else
  (void)ctx; (void)first; (void)n;
#endif
}

// Portable path: SoA arrays, a vectorisable pair loop and a scalar scatter.
void LjCut::compute_generic(Context& ctx, const NeighborList& list, bool eflag, std::vector<Tally6>& tallies,
                            GhostGate* gate) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
  const bool single = nt_ == 1;
  const real* x = s.x.data();
  const real* y = s.y.data();
  const real* z = s.z.data();
  const int* type = s.type.data();
  const bool threaded = workers > 1;
  for_blocks(list, gate, [&](const NeighborBlock& blk, int w) {
    real *fx, *fy, *fz;
    if (w == 0) {
      fx = s.fx.data(); fy = s.fy.data(); fz = s.fz.data();
    } else {
      auto& buf = fbuf_[static_cast<std::size_t>(w - 1)];
      fx = buf.data(); fy = fx + nall; fz = fy + nall;
    }
    Scratch& sc = scratch_[static_cast<std::size_t>(w)];
    Tally6& t = tallies[static_cast<std::size_t>(w)];
    if (eflag) {
      if (single) block<true, true>(blk, x, y, z, type, fx, fy, fz, sc, t);
      else block<true, false>(blk, x, y, z, type, fx, fy, fz, sc, t);
    } else {
      if (single) block<false, true>(blk, x, y, z, type, fx, fy, fz, sc, t);
      else block<false, false>(blk, x, y, z, type, fx, fy, fz, sc, t);
    }
  });
  // Each worker owns its buffer; reduce them in worker order.
  if (threaded) {
    const int extra = workers - 1;
    detail::parallel_range(workers, nall, [&](std::int64_t lo, std::int64_t hi, int) {
      for (int w = 0; w < extra; ++w) {
        auto& buf = fbuf_[static_cast<std::size_t>(w)];
        const real* bx = buf.data();
        const real* by = bx + nall;
        const real* bz = by + nall;
        for (std::int64_t i = lo; i < hi; ++i) {
          s.fx[static_cast<std::size_t>(i)] += bx[i];
          s.fy[static_cast<std::size_t>(i)] += by[i];
          s.fz[static_cast<std::size_t>(i)] += bz[i];
        }
      }
    }, "pair-reduce");
  }
}

#ifdef WEFT_MD_AVX2
// AVX2 path: positions packed as (x, y, z, type) rows of 4 doubles, so the
// 4 neighbours of one SIMD step are 4 aligned loads and a 4x4 transpose (no
// gathers); the Newton reaction on j is transposed back and applied with
// one 4-wide load-subtract-store per neighbour. Lists are padded to a
// multiple of 4 with a far-away dummy atom, so there is no remainder loop.
namespace {

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

}  // namespace

template <bool EFLAG, bool SINGLE>
void LjCut::block_avx2(const NeighborBlock& blk, const double* __restrict pos4, double* __restrict f4,
                       Tally6& t) const {
  const __m256d zero = _mm256_setzero_pd();
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d cutsq0 = _mm256_set1_pd(cutsq_[0]);
  const __m256d lj10 = _mm256_set1_pd(lj1_[0]);
  const __m256d lj20 = _mm256_set1_pd(lj2_[0]);
  const __m256d lj30 = _mm256_set1_pd(lj3_[0]);
  const __m256d lj40 = _mm256_set1_pd(lj4_[0]);
  const __m256d off0 = _mm256_set1_pd(offset_[0]);
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
      __m256d cutsq, lj1, lj2;
      __m128i idx = _mm_setzero_si128();
      if constexpr (SINGLE) {
        cutsq = cutsq0; lj1 = lj10; lj2 = lj20;
        (void)W;
      } else {
        idx = _mm_add_epi32(toff, _mm256_cvttpd_epi32(W));
        cutsq = _mm256_i32gather_pd(cutsq_.data(), idx, 8);
        lj1 = _mm256_i32gather_pd(lj1_.data(), idx, 8);
        lj2 = _mm256_i32gather_pd(lj2_.data(), idx, 8);
      }
      const __m256d mask = _mm256_cmp_pd(rsq, cutsq, _CMP_LT_OQ);
      const __m256d r2inv = _mm256_div_pd(one, rsq);
      const __m256d r6inv = _mm256_mul_pd(_mm256_mul_pd(r2inv, r2inv), r2inv);
      const __m256d forcelj = _mm256_mul_pd(r6inv, _mm256_fmsub_pd(lj1, r6inv, lj2));
      const __m256d fpair = _mm256_and_pd(mask, _mm256_mul_pd(forcelj, r2inv));
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
        __m256d lj3, lj4, off;
        if constexpr (SINGLE) {
          lj3 = lj30; lj4 = lj40; off = off0;
        } else {
          lj3 = _mm256_i32gather_pd(lj3_.data(), idx, 8);
          lj4 = _mm256_i32gather_pd(lj4_.data(), idx, 8);
          off = _mm256_i32gather_pd(offset_.data(), idx, 8);
        }
        const __m256d e = _mm256_sub_pd(_mm256_mul_pd(r6inv, _mm256_fmsub_pd(lj3, r6inv, lj4)), off);
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
    t.e += hsum(ev); t.vxx += hsum(vxx); t.vyy += hsum(vyy); t.vzz += hsum(vzz);
    t.vxy += hsum(vxy); t.vxz += hsum(vxz); t.vyz += hsum(vyz);
  }
}

void LjCut::pack4(const System& s, index lo, index hi) {
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

void LjCut::compute_avx2(Context& ctx, const NeighborList& list, bool eflag, std::vector<Tally6>& tallies,
                         GhostGate* gate) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
  const bool single = nt_ == 1;
  const double* pos4 = pos4_.data();
  for_blocks(list, gate, [&](const NeighborBlock& blk, int w) {
    double* f4 = f4_[static_cast<std::size_t>(w)].data();
    Tally6& t = tallies[static_cast<std::size_t>(w)];
    if (eflag) {
      if (single) block_avx2<true, true>(blk, pos4, f4, t);
      else block_avx2<true, false>(blk, pos4, f4, t);
    } else {
      if (single) block_avx2<false, true>(blk, pos4, f4, t);
      else block_avx2<false, false>(blk, pos4, f4, t);
    }
  });
  // Unpack to SoA, adding the worker buffers in worker order.
  detail::parallel_range(workers, nall, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t i = lo; i < hi; ++i) {
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
  }, "pair-reduce");
}
#endif

}  // namespace

std::unique_ptr<Force> make_force_lj_cut() { return std::make_unique<LjCut>(); }

}  // namespace weft::md
