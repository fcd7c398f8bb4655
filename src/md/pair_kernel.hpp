// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: PairKernel<Style>, the machinery every short-range pair style
// shares: per-worker force buffers reduced in worker order (bit-identical
// results for a given thread count under both schedulers), the ghost-gate
// waits of the overlapped force computation, positions packed for the SIMD
// kernel, and the two kernels that walk a block of the half neighbour list
// (a portable one and an AVX2 one). A style supplies only its coefficients
// and its pair function (see PairStyle below); pair_lj_cut.cpp and
// pair_morse.cpp are the examples.

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "interfaces.hpp"
#include "simd.hpp"
#include "weft/go/blocks.hpp"

namespace weft::md {

// PairTables are a style's per-type-pair values, each ntypes x ntypes,
// row-major, types 0-based: the cutoff, the coefficients its force()
// reads and those only its energy() reads.
template <int F, int E>
struct PairTables {
  std::vector<real> cut;
  std::array<std::vector<real>, F> force;
  std::array<std::vector<real>, E> energy;
  void resize(int ntypes) {
    const auto n2 = static_cast<std::size_t>(ntypes * ntypes);
    cut.assign(n2, 0.0);
    for (auto& t : force) t.assign(n2, 0.0);
    for (auto& t : energy) t.assign(n2, 0.0);
  }
};

// PairStyle is what a style supplies (a concept; see pair_lj_cut.cpp):
//
//   struct MyStyle {
//     static constexpr int kForce = 2, kEnergy = 1;  // tables of coefficients
//     // init() fills the tables for the system's types; may throw
//     // InputError; collective over ctx.comm (e.g. for tail corrections).
//     void init(Context& ctx, PairTables<kForce, kEnergy>& t);
//     // force() is F(r) / r at r^2 = rsq (only used where rsq < cut^2),
//     // given this type pair's kForce coefficients.
//     template <class V> static V force(V rsq, V f0, V f1);
//     // energy() is the pair energy at r^2 = rsq (with any shift), given
//     // the kForce and then the kEnergy coefficients.
//     template <class V> static V energy(V rsq, V f0, V f1, V e0);
//     real etail(real volume) const;  // tail corrections / volume, or 0
//     real ptail(real volume) const;
//   };
//
// V is double in the portable kernel and simd::V4 in the AVX2 one; write
// the functions with + - * / and simd::fms, fma, sqrt, exp, constant<V>.

namespace pair_detail {

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
  AlignedBuffer(AlignedBuffer&& o) noexcept : p_(o.p_), n_(o.n_) {
    o.p_ = nullptr;
    o.n_ = 0;
  }
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

// Tally6 is one worker's energy and virial sums.
struct Tally6 {
  real e = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
};

// use_avx2() tells whether the SIMD kernel runs (WEFT_MD_KERNEL=generic
// selects the portable kernel, for comparison).
bool use_avx2();

// for_blocks() runs fn(block, worker) over the list's schedule. With a gate,
// a border block first waits for the swaps it reads, and while ghosts are
// still on their way a worker yields between blocks so the communication
// task gets to unpack (and post the next stage) promptly. With a reverse
// gate, each share says when it is past its blocks that add forces to ghosts
// and then, while the reverse messages are in flight, yields every
// kYieldEvery so the reverse task gets to post and test them (a rank may
// have one worker).
template <class F>
void for_blocks(const NeighborList& list, GhostGate* gate, ReverseGate* reverse, F&& fn) {
  auto run = [&](std::int64_t b, int w) {
    const NeighborBlock& blk = list.blocks[static_cast<std::size_t>(b)];
    if (gate && !gate->complete()) {
      weft::go::yield();
      gate->wait(blk.ghost_swaps);
      if (!gate->complete()) gate->note_early(blk.npairs);
    }
    fn(blk, w);
  };
  if (!reverse) {
    go::parallel_schedule(list.schedule, run, "pair");
    return;
  }
  constexpr auto kYieldEvery = std::chrono::microseconds(10);
  go::fiber_shares(static_cast<int>(list.schedule.size()), "pair", [&](int w) {
    const auto& mine = list.schedule[static_cast<std::size_t>(w)];
    const std::size_t tail = list.ghost_free_from[static_cast<std::size_t>(w)];
    auto last_yield = std::chrono::steady_clock::now();
    for (std::size_t p = 0; p < mine.size(); ++p) {
      if (p == tail) reverse->ghosts_done();
      if (p >= tail && !reverse->finished()) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_yield >= kYieldEvery) {
          weft::go::yield();
          last_yield = now;
        }
        reverse->note_late(list.blocks[static_cast<std::size_t>(mine[p])].npairs);
      }
      run(mine[p], w);
    }
    if (tail >= mine.size()) reverse->ghosts_done();
  });
}

}  // namespace pair_detail

template <class Style>
class PairKernel final : public Force {
 public:
  static constexpr int kF = Style::kForce, kE = Style::kEnergy;
  explicit PairKernel(Style style = {}) : style_(std::move(style)) {}

  void init(Context& ctx) override;
  real max_cutoff() const override { return cutmax_; }
  std::vector<real> cutoffs() const override { return t_.cut; }
  void compute(Context& ctx, const NeighborList& list, bool eflag, ForceTally& tally,
               GhostGate* gate, ReverseGate* reverse) override;
  void reduce_ghosts(Context& ctx) override;
  void begin_overlap(Context& ctx) override { prepare(ctx, false); }
  void ghosts_moved(Context& ctx, index first, index n) override;
  real etail(real volume) const override { return style_.etail(volume); }
  real ptail(real volume) const override { return style_.ptail(volume); }

 private:
  using Tally6 = pair_detail::Tally6;
  Style style_;
  int nt_ = 1;
  PairTables<kF, kE> t_;
  std::vector<real> cutsq_;
  real cutmax_ = 0;
  std::vector<std::vector<real>> fbuf_;  // per extra worker: fx | fy | fz
  std::vector<pair_detail::Scratch> scratch_;
  pair_detail::AlignedBuffer pos4_;             // x, y, z, type-1 per atom (SIMD path)
  std::vector<pair_detail::AlignedBuffer> f4_;  // per worker: fx, fy, fz, 0 per atom

  // prepare() sizes and zeroes the force buffers and stages positions for
  // the SIMD kernel (owned atoms and the padding dummy; ghosts too if asked).
  void prepare(Context& ctx, bool with_ghosts);
  void compute_generic(Context& ctx, const NeighborList& list, bool eflag,
                       std::vector<Tally6>& tallies, GhostGate* gate, ReverseGate* reverse);
  // reduce_generic() adds the extra workers' forces of atoms [lo, hi) to the
  // system's (worker 0's) in worker order.
  void reduce_generic(System& s, int workers, index lo, index hi);
  template <bool EFLAG, bool SINGLE>
  void block(const NeighborBlock& blk, const real* x, const real* y, const real* z, const int* type,
             real* fx, real* fy, real* fz, pair_detail::Scratch& sc, Tally6& t) const;
  // call_force() is Style::force(rsq, fc(0), ..., fc(kF - 1)); call_energy()
  // likewise with the force and then the energy coefficients.
  template <class V, class FC>
  static V call_force(V rsq, FC&& fc) {
    return [&]<int... M>(std::integer_sequence<int, M...>) { return Style::force(rsq, fc(M)...); }
    (std::make_integer_sequence<int, kF>{});
  }
  template <class V, class FC, class EC>
  static V call_energy(V rsq, FC&& fc, EC&& ec) {
    return [&]<int... M, int... N>(std::integer_sequence<int, M...>,
                                   std::integer_sequence<int, N...>) {
      return Style::energy(rsq, fc(M)..., ec(N)...);
    }
    (std::make_integer_sequence<int, kF>{}, std::make_integer_sequence<int, kE>{});
  }
#ifdef WEFT_MD_AVX2
  void pack4(const System& s, index lo, index hi);
  void compute_avx2(Context& ctx, const NeighborList& list, bool eflag,
                    std::vector<Tally6>& tallies, GhostGate* gate, ReverseGate* reverse);
  // reduce_avx2() sums the workers' forces of atoms [lo, hi) in worker order
  // into the system's arrays.
  void reduce_avx2(System& s, int workers, index lo, index hi);
  template <bool EFLAG, bool SINGLE>
  void block_avx2(const NeighborBlock& blk, const double* pos4, double* f4, Tally6& t) const;
#endif
};

template <class Style>
void PairKernel<Style>::init(Context& ctx) {
  nt_ = ctx.sys.ntypes();
  t_.resize(nt_);
  style_.init(ctx, t_);
  cutsq_.resize(t_.cut.size());
  cutmax_ = 0;
  for (std::size_t k = 0; k < t_.cut.size(); ++k) {
    cutsq_[k] = t_.cut[k] * t_.cut[k];
    cutmax_ = std::max(cutmax_, t_.cut[k]);
  }
}

template <class Style>
void PairKernel<Style>::compute(Context& ctx, const NeighborList& list, bool eflag,
                                ForceTally& tally, GhostGate* gate, ReverseGate* reverse) {
  const int workers = std::max(1, ctx.threads);
  std::vector<Tally6> tallies(static_cast<std::size_t>(workers));
  if (!gate) prepare(ctx, true);
#ifdef WEFT_MD_AVX2
  if (pair_detail::use_avx2())
    compute_avx2(ctx, list, eflag, tallies, gate, reverse);
  else
    compute_generic(ctx, list, eflag, tallies, gate, reverse);
#else
  compute_generic(ctx, list, eflag, tallies, gate, reverse);
#endif
  if (eflag) {
    Tally6 sum;
    for (const Tally6& t : tallies) {
      sum.e += t.e;
      sum.vxx += t.vxx;
      sum.vyy += t.vyy;
      sum.vzz += t.vzz;
      sum.vxy += t.vxy;
      sum.vxz += t.vxz;
      sum.vyz += t.vyz;
    }
    tally.energy = sum.e;
    tally.virial << sum.vxx, sum.vxy, sum.vxz, sum.vxy, sum.vyy, sum.vyz, sum.vxz, sum.vyz, sum.vzz;
  }
}

template <class Style>
void PairKernel<Style>::prepare(Context& ctx, bool with_ghosts) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
  const int workers = std::max(1, ctx.threads);
#ifdef WEFT_MD_AVX2
  if (pair_detail::use_avx2()) {
    if (static_cast<int>(f4_.size()) < workers) f4_.resize(static_cast<std::size_t>(workers));
    const auto n4 = static_cast<std::size_t>(4 * nall);
    pos4_.reserve(n4);
    for (auto& b : f4_) b.reserve(n4);
    const index packed = with_ghosts ? nall : s.nlocal;
    go::parallel_range(
        workers, nall,
        [&](std::int64_t lo, std::int64_t hi, int) {
          pack4(s, lo, std::min<std::int64_t>(hi, packed));
          for (int w = 0; w < workers; ++w)
            std::memset(f4_[static_cast<std::size_t>(w)].data() + 4 * lo, 0,
                        static_cast<std::size_t>(4 * (hi - lo)) * sizeof(double));
        },
        "pair-reduce");
    if (!with_ghosts) pack4(s, nall - 1, nall);  // the dummy
    return;
  }
#endif
  (void)with_ghosts;
  if (static_cast<int>(scratch_.size()) < workers)
    scratch_.resize(static_cast<std::size_t>(workers));
  if (static_cast<int>(fbuf_.size()) < workers - 1)
    fbuf_.resize(static_cast<std::size_t>(workers - 1));
  for (auto& buf : fbuf_)
    if (static_cast<index>(buf.size()) < 3 * nall) buf.resize(static_cast<std::size_t>(3 * nall));
  go::parallel_range(
      workers, nall,
      [&](std::int64_t lo, std::int64_t hi, int) {
        std::fill(s.fx.data() + lo, s.fx.data() + hi, 0.0);
        std::fill(s.fy.data() + lo, s.fy.data() + hi, 0.0);
        std::fill(s.fz.data() + lo, s.fz.data() + hi, 0.0);
        for (int w = 0; w < workers - 1; ++w) {
          auto& buf = fbuf_[static_cast<std::size_t>(w)];
          for (int c = 0; c < 3; ++c)
            std::fill(buf.data() + c * nall + lo, buf.data() + c * nall + hi, 0.0);
        }
      },
      "pair-reduce");
}

template <class Style>
void PairKernel<Style>::reduce_ghosts(Context& ctx) {
  System& s = ctx.sys;
  const index nall = s.nall() + 1;  // + the padding dummy
#ifdef WEFT_MD_AVX2
  if (pair_detail::use_avx2()) {
    reduce_avx2(s, std::max(1, ctx.threads), first_message_ghost(ctx), nall);
    return;
  }
#endif
  reduce_generic(s, std::max(1, ctx.threads), first_message_ghost(ctx), nall);
}

template <class Style>
void PairKernel<Style>::ghosts_moved(Context& ctx, index first, index n) {
#ifdef WEFT_MD_AVX2
  if (pair_detail::use_avx2()) pack4(ctx.sys, first, first + n);
#else
  (void)ctx;
  (void)first;
  (void)n;
#endif
}

}  // namespace weft::md

#include "impl/pair_kernel_generic.hpp"
#ifdef WEFT_MD_AVX2
#include "impl/pair_kernel_avx2.hpp"
#endif
