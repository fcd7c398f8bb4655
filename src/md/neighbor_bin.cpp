// SPDX-License-Identifier: Apache-2.0
// BinNeighbor: cell (bin) lists and Verlet lists with a skin.
//
// Bins tile the global box exactly (bin size = box length / an integer), at
// least `bins_per_cutoff` bins per neighbour cutoff. Owned atoms are sorted
// at every rebuild by border class, then by bin: atoms that cannot see a
// ghost from another rank (interior) come first, then the atoms near each
// face that exchanges messages, grouped by the swaps they may need. Blocks
// (tasks) are contiguous runs within one class, so most blocks are either
// interior or need only one face's messages. The list is a half list
// (Newton on): a pair (i, j) is stored by the atom it is "below" in (z, y, x)
// lexicographic order (by index for two owned atoms at the same point),
// which holds for exactly one of the two atoms (and on
// exactly one of two ranks, or for exactly one of two periodic images), so
// every interaction is computed once and ghost forces are sent back by
// reverse communication.
#include <algorithm>
#include <cmath>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "interfaces.hpp"
#include "weft/go/blocks.hpp"

namespace weft::md {
namespace {

#if defined(__AVX2__)
// kCompact[m] is the _mm_shuffle_epi8 control that moves the 32-bit lanes
// selected by the 4-bit mask m to the front of a vector.
struct CompactTable {
  alignas(16) std::uint8_t b[16][16];
  constexpr CompactTable() : b{} {
    for (unsigned m = 0; m < 16; ++m) {
      int o = 0;
      for (int lane = 0; lane < 4; ++lane)
        if (m & (1u << lane)) {
          for (int q = 0; q < 4; ++q) b[m][o * 4 + q] = static_cast<std::uint8_t>(lane * 4 + q);
          ++o;
        }
      for (int r = o; r < 4; ++r)
        for (int q = 0; q < 4; ++q) b[m][r * 4 + q] = 0x80;
    }
  }
};
constexpr CompactTable kCompact{};
#endif

class BinNeighbor final : public Neighbor {
 public:
  void setup(Context& ctx, const std::vector<real>& cutneigh, real cutghost) override;
  void sort_owned(Context& ctx) override;
  void build(Context& ctx) override;
  const NeighborList& list() const override { return list_; }

 private:
  int ntypes_ = 1;
  std::vector<real> cutneighsq_;
  real cutmax_ = 0, cutghost_ = 0;
  std::array<int, 3> nbins_global_{1, 1, 1};
  Vec3 inv_binsize_ = Vec3::Ones();
  std::array<int, 3> blo_{0, 0, 0}, mbins_{1, 1, 1};
  struct Row {
    int center;  // linear bin offset of the row's dx = 0 bin
    int rx;      // bins dx = -rx..rx
  };
  std::vector<Row> rows_;
  std::vector<real> bx_, by_, bz_;  // atoms in bin order
  std::vector<int> bidx_, btype_;
  std::vector<int> atom_bin_, bin_start_, bin_atoms_;
  NeighborList list_;
  // sort scratch
  std::vector<int> perm_;
  std::vector<real> rtmp_;
  std::vector<gid> gtmp_;
  std::vector<int> itmp_;
  // border class key of each owned atom (sorted order); see class_key()
  std::vector<int> akey_, keytmp_;
  std::vector<std::uint8_t> ghost_swap_;  // swap of each ghost (index - nlocal)

  // class_key() is 64 * (1 + stage of the last message swap the atom may
  // need, 0 if none) + the mask of those swaps, from its position.
  int class_key(const Context& ctx, const std::array<int, 3>& order, index i) const;
  void make_schedule(const Context& ctx);

  void grid(Context& ctx);
  int bin_of(const System& s, index i) const {
    int c[3];
    const real p[3] = {s.x[static_cast<std::size_t>(i)], s.y[static_cast<std::size_t>(i)],
                       s.z[static_cast<std::size_t>(i)]};
    for (int d = 0; d < 3; ++d) {
      int b = static_cast<int>(std::floor((p[d] - s.box.lo[d]) * inv_binsize_[d])) -
              blo_[static_cast<std::size_t>(d)];
      c[d] = std::clamp(b, 0, mbins_[static_cast<std::size_t>(d)] - 1);
    }
    return c[0] + mbins_[0] * (c[1] + mbins_[1] * c[2]);
  }
  void bin_atoms(const System& s, index n);
};

void BinNeighbor::setup(Context& ctx, const std::vector<real>& cutneigh, real cutghost) {
  ntypes_ = ctx.sys.ntypes();
  cutneighsq_.resize(cutneigh.size());
  cutmax_ = 0;
  for (std::size_t k = 0; k < cutneigh.size(); ++k) {
    cutneighsq_[k] = cutneigh[k] * cutneigh[k];
    cutmax_ = std::max(cutmax_, cutneigh[k]);
  }
  cutghost_ = cutghost;
  const int per = std::max(1, ctx.cfg.neighbor.bins_per_cutoff);
  const Vec3 len = ctx.sys.box.length();
  for (int d = 0; d < 3; ++d) {
    nbins_global_[static_cast<std::size_t>(d)] =
        std::max(1, static_cast<int>(std::floor(len[d] * per / cutmax_)));
    inv_binsize_[d] = nbins_global_[static_cast<std::size_t>(d)] / len[d];
  }
  grid(ctx);
}

void BinNeighbor::grid(Context& ctx) {
  const System& s = ctx.sys;
  for (int d = 0; d < 3; ++d) {
    const auto du = static_cast<std::size_t>(d);
    const int lo =
        static_cast<int>(std::floor((s.sublo[d] - cutghost_ - s.box.lo[d]) * inv_binsize_[d])) - 1;
    const int hi =
        static_cast<int>(std::floor((s.subhi[d] + cutghost_ - s.box.lo[d]) * inv_binsize_[d])) + 1;
    blo_[du] = lo;
    mbins_[du] = hi - lo + 1;
  }
  // Stencil rows: for every (dy, dz) with dz >= 0 that can hold a
  // neighbour, the contiguous run of bins dx = -r..r along x. Rows with
  // dz < 0 are never needed: their atoms lie strictly below in z.
  rows_.clear();
  int reach[3];
  for (int d = 0; d < 3; ++d) reach[d] = static_cast<int>(std::ceil(cutmax_ * inv_binsize_[d]));
  auto gap = [&](int n, int d) { return std::max(0, std::abs(n) - 1) / inv_binsize_[d]; };
  for (int k = 0; k <= reach[2]; ++k)
    for (int j = -reach[1]; j <= reach[1]; ++j) {
      const real dy = gap(j, 1), dz = gap(k, 2);
      if (dy * dy + dz * dz >= cutmax_ * cutmax_) continue;
      int rx = 0;
      while (rx < reach[0]) {
        const real dx = gap(rx + 1, 0);
        if (dx * dx + dy * dy + dz * dz >= cutmax_ * cutmax_) break;
        ++rx;
      }
      rows_.push_back(Row{mbins_[0] * (j + mbins_[1] * k), rx});
    }
}

void BinNeighbor::bin_atoms(const System& s, index n) {
  const int nb = mbins_[0] * mbins_[1] * mbins_[2];
  atom_bin_.resize(static_cast<std::size_t>(n));
  bin_start_.assign(static_cast<std::size_t>(nb) + 1, 0);
  for (index i = 0; i < n; ++i) {
    const int b = bin_of(s, i);
    atom_bin_[static_cast<std::size_t>(i)] = b;
    ++bin_start_[static_cast<std::size_t>(b) + 1];
  }
  for (int b = 0; b < nb; ++b)
    bin_start_[static_cast<std::size_t>(b) + 1] += bin_start_[static_cast<std::size_t>(b)];
  bin_atoms_.resize(static_cast<std::size_t>(n));
  std::vector<int> fill(bin_start_.begin(), bin_start_.end() - 1);
  for (index i = 0; i < n; ++i)
    bin_atoms_[static_cast<std::size_t>(
        fill[static_cast<std::size_t>(atom_bin_[static_cast<std::size_t>(i)])]++)] =
        static_cast<int>(i);
}

void BinNeighbor::sort_owned(Context& ctx) {
  System& s = ctx.sys;
  grid(ctx);
  const index n = s.nlocal;
  bin_atoms(s, n);  // stable counting sort of owned atoms by bin
  // then a stable counting sort by border class
  const std::array<int, 3> order = stage_order(ctx.grid);
  constexpr int kKeys = 4 * 64;
  keytmp_.resize(static_cast<std::size_t>(n));
  std::array<int, kKeys + 1> start{};
  for (index i = 0; i < n; ++i) {
    const int k = class_key(ctx, order, i);
    keytmp_[static_cast<std::size_t>(i)] = k;
    ++start[static_cast<std::size_t>(k) + 1];
  }
  for (int k = 0; k < kKeys; ++k)
    start[static_cast<std::size_t>(k) + 1] += start[static_cast<std::size_t>(k)];
  perm_.resize(static_cast<std::size_t>(n));
  akey_.resize(static_cast<std::size_t>(n));
  for (index q = 0; q < n; ++q) {
    const int i = bin_atoms_[static_cast<std::size_t>(q)];
    const int k = keytmp_[static_cast<std::size_t>(i)];
    const int slot = start[static_cast<std::size_t>(k)]++;
    perm_[static_cast<std::size_t>(slot)] = i;
    akey_[static_cast<std::size_t>(slot)] = k;
  }
  auto permute_real = [&](std::vector<real>& v) {
    rtmp_.resize(static_cast<std::size_t>(n));
    for (index k = 0; k < n; ++k)
      rtmp_[static_cast<std::size_t>(k)] =
          v[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])];
    std::copy(rtmp_.begin(), rtmp_.end(), v.begin());
  };
  auto permute_int = [&](auto& v) {
    itmp_.resize(static_cast<std::size_t>(n));
    for (index k = 0; k < n; ++k)
      itmp_[static_cast<std::size_t>(k)] =
          static_cast<int>(v[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])]);
    for (index k = 0; k < n; ++k)
      v[static_cast<std::size_t>(k)] =
          static_cast<std::remove_reference_t<decltype(v[0])>>(itmp_[static_cast<std::size_t>(k)]);
  };
  for (auto* v : {&s.x, &s.y, &s.z, &s.vx, &s.vy, &s.vz}) permute_real(*v);
  gtmp_.resize(static_cast<std::size_t>(n));
  for (index k = 0; k < n; ++k)
    gtmp_[static_cast<std::size_t>(k)] =
        s.id[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])];
  std::copy(gtmp_.begin(), gtmp_.end(), s.id.begin());
  permute_int(s.type);
  permute_int(s.imx);
  permute_int(s.imy);
  permute_int(s.imz);
}

int BinNeighbor::class_key(const Context& ctx, const std::array<int, 3>& order, index i) const {
  const System& s = ctx.sys;
  const auto k = static_cast<std::size_t>(i);
  const real p[3] = {s.x[k], s.y[k], s.z[k]};
  int mask = 0, stage = 0;
  for (int q = 0; q < 3; ++q) {
    const int d = order[static_cast<std::size_t>(q)];
    if (ctx.grid.dims[static_cast<std::size_t>(d)] == 1) continue;
    if (p[d] >= s.subhi[d] - cutghost_) mask |= 1 << (2 * d);     // ghosts above: swap 2d
    if (p[d] < s.sublo[d] + cutghost_) mask |= 1 << (2 * d + 1);  // ghosts below: swap 2d+1
    if (mask >> (2 * d) & 3) stage = q + 1;
  }
  return 64 * stage + mask;
}

void BinNeighbor::build(Context& ctx) {
  System& s = ctx.sys;
  const index nall = s.nall();
  const index nlocal = s.nlocal;
  // Slot nall is a dummy atom far away: lists are padded with it to a
  // multiple of 4 entries so SIMD kernels need no remainder loop.
  if (static_cast<index>(s.x.size()) < nall + 1) s.resize(nall + 1);
  {
    const auto d = static_cast<std::size_t>(nall);
    const Vec3 far = s.box.hi + s.box.length() + Vec3::Constant(100.0 * cutghost_);
    s.x[d] = far.x();
    s.y[d] = far.y();
    s.z[d] = far.z();
    s.type[d] = 1;
    s.id[d] = 0;
  }
  const int dummy = static_cast<int>(nall);
  bin_atoms(s, nall);
  const auto un = static_cast<std::size_t>(nall);
  // 4 padding slots so 4-wide loads at a row end stay inside the arrays.
  bx_.assign(un + 4, 0.0);
  by_.assign(un + 4, 0.0);
  bz_.assign(un + 4, 0.0);
  bidx_.assign(un + 4, 0);
  btype_.assign(un + 4, 0);
  for (std::size_t k = 0; k < un; ++k) {
    const auto j = static_cast<std::size_t>(bin_atoms_[k]);
    bx_[k] = s.x[j];
    by_[k] = s.y[j];
    bz_[k] = s.z[j];
    bidx_[k] = bin_atoms_[k];
    btype_[k] = s.type[j] - 1;
  }
  // Task blocks: contiguous runs of owned atoms of one border class (compact
  // regions of space), at most 1024 atoms, at least ~8 per worker if possible.
  const index block_atoms = std::clamp<index>(nlocal / (8 * std::max(1, ctx.threads)), 64, 1024);
  // akey_ is from sort_owned(), which every rebuild runs just before.
  std::vector<std::pair<index, index>> ranges;
  for (index i = 0; i < nlocal;) {
    index e = i + 1;
    const int key = akey_[static_cast<std::size_t>(i)];
    while (e < nlocal && e - i < block_atoms && akey_[static_cast<std::size_t>(e)] == key) ++e;
    ranges.emplace_back(i, e);
    i = e;
  }
  if (ranges.empty()) ranges.emplace_back(0, 0);
  const auto nblocks = static_cast<index>(ranges.size());
  list_.blocks.resize(static_cast<std::size_t>(nblocks));
  // The swap each ghost came from, for the blocks' ghost masks.
  ghost_swap_.assign(static_cast<std::size_t>(s.nghost), 0);
  for (int k = 0; k < kSwaps; ++k)
    for (index g = 0; g < ctx.ghost_count[static_cast<std::size_t>(k)]; ++g)
      ghost_swap_[static_cast<std::size_t>(ctx.ghost_first[static_cast<std::size_t>(k)] + g -
                                           nlocal)] = static_cast<std::uint8_t>(k);
  const std::uint8_t* gswap = ghost_swap_.data();
  const real* x = s.x.data();
  const real* y = s.y.data();
  const real* z = s.z.data();
  const int* type = s.type.data();
  const real* bx = bx_.data();
  const real* by = by_.data();
  const real* bz = bz_.data();
  const int* bidx = bidx_.data();
  const int* btype = btype_.data();
  const int* bstart = bin_start_.data();
  const int nt = ntypes_;
  const bool single = nt == 1;
  const real cut0 = cutneighsq_[0];
  go::parallel_blocks(
      ctx.threads, nblocks,
      [&](std::int64_t b, int) {
        NeighborBlock& blk = list_.blocks[static_cast<std::size_t>(b)];
        blk.ibegin = ranges[static_cast<std::size_t>(b)].first;
        blk.iend = ranges[static_cast<std::size_t>(b)].second;
        blk.first.resize(static_cast<std::size_t>(blk.iend - blk.ibegin + 1));
        blk.max_per_atom = 0;
        blk.npairs = 0;
        if (blk.neigh.size() < 4096) blk.neigh.resize(4096);
        std::size_t count = 0;
        unsigned mask = 0;
        for (index i = blk.ibegin; i < blk.iend; ++i) {
          blk.first[static_cast<std::size_t>(i - blk.ibegin)] = static_cast<int>(count);
          const real xi = x[i], yi = y[i], zi = z[i];
          const real* cut_row = cutneighsq_.data() + (type[i] - 1) * nt;
          const int ib = atom_bin_[static_cast<std::size_t>(i)];
          std::size_t candidates = 0;
          for (const Row& r : rows_)
            candidates += static_cast<std::size_t>(bstart[ib + r.center + r.rx + 1] -
                                                   bstart[ib + r.center - r.rx]);
          if (blk.neigh.size() < count + candidates + 8)
            blk.neigh.resize(2 * (count + candidates + 8));
          int* out = blk.neigh.data() + count;
          std::size_t n = 0;
          const int ii = static_cast<int>(i);
          const int nloc = static_cast<int>(nlocal);
          for (const Row& r : rows_) {
            const int kbeg = bstart[ib + r.center - r.rx];
            const int kend = bstart[ib + r.center + r.rx + 1];
            int k = kbeg;
#if defined(__AVX2__)
            if (single) {
              // Four candidates at a time from the contiguous bin-ordered copy;
              // lanes past the row end are masked (arrays carry 4 padding slots).
              const __m256d vxi = _mm256_set1_pd(xi), vyi = _mm256_set1_pd(yi),
                            vzi = _mm256_set1_pd(zi);
              const __m256d vcut = _mm256_set1_pd(cut0);
              const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
              const __m128i vii = _mm_set1_epi32(ii), vnloc = _mm_set1_epi32(nloc);
              for (; k < kend; k += 4) {
                const __m256d xj = _mm256_loadu_pd(bx + k), yj = _mm256_loadu_pd(by + k),
                              zj = _mm256_loadu_pd(bz + k);
                const __m256d dx = _mm256_sub_pd(vxi, xj), dy = _mm256_sub_pd(vyi, yj),
                              dz = _mm256_sub_pd(vzi, zj);
                const __m256d rsq =
                    _mm256_fmadd_pd(dx, dx, _mm256_fmadd_pd(dy, dy, _mm256_mul_pd(dz, dz)));
                const __m256d in = _mm256_cmp_pd(rsq, vcut, _CMP_LT_OQ);
                const __m256d zgt = _mm256_cmp_pd(zj, vzi, _CMP_GT_OQ),
                              zeq = _mm256_cmp_pd(zj, vzi, _CMP_EQ_OQ);
                const __m256d ygt = _mm256_cmp_pd(yj, vyi, _CMP_GT_OQ),
                              yeq = _mm256_cmp_pd(yj, vyi, _CMP_EQ_OQ);
                const __m256d xgt = _mm256_cmp_pd(xj, vxi, _CMP_GT_OQ);
                const __m256d above = _mm256_or_pd(
                    zgt, _mm256_and_pd(zeq, _mm256_or_pd(ygt, _mm256_and_pd(yeq, xgt))));
                const __m128i jv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bidx + k));
                const __m128i valid =
                    _mm_cmplt_epi32(_mm_add_epi32(lane, _mm_set1_epi32(k)), _mm_set1_epi32(kend));
                // at the same point (overlapping atoms) an owned j > i counts as above
                const __m256d same =
                    _mm256_and_pd(_mm256_and_pd(zeq, yeq), _mm256_cmp_pd(xj, vxi, _CMP_EQ_OQ));
                const __m128i later =
                    _mm_and_si128(_mm_cmplt_epi32(jv, vnloc), _mm_cmpgt_epi32(jv, vii));
                const __m256d tie =
                    _mm256_and_pd(same, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(later)));
                // keep j if it is within the cutoff and above i
                const __m256d ok = _mm256_and_pd(
                    _mm256_and_pd(in, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(valid))),
                    _mm256_or_pd(above, tie));
                // Branch-free compaction: shuffle the accepted indices to the
                // front, store all four, advance by the number accepted.
                const unsigned bits = static_cast<unsigned>(_mm256_movemask_pd(ok));
                const __m128i packed = _mm_shuffle_epi8(
                    jv, _mm_load_si128(reinterpret_cast<const __m128i*>(kCompact.b[bits])));
                _mm_storeu_si128(reinterpret_cast<__m128i*>(out + n), packed);
                n += static_cast<std::size_t>(__builtin_popcount(bits));
              }
              continue;
            }
#endif
            for (; k < kend; ++k) {
              const int j = bidx[k];
              const real xj = bx[k], yj = by[k], zj = bz[k];
              const real dx = xi - xj, dy = yi - yj, dz = zi - zj;
              const real rsq = dx * dx + dy * dy + dz * dz;
              const bool above = (zj > zi) | ((zj == zi) & ((yj > yi) | ((yj == yi) & (xj > xi))));
              const bool tie = (zj == zi) & (yj == yi) & (xj == xi) & (j < nloc) & (j > ii);
              const real cut = single ? cut0 : cut_row[btype[k]];
              out[n] = j;
              n += static_cast<std::size_t>((above | tie) & (rsq < cut));
            }
          }
          blk.npairs += static_cast<std::int64_t>(n);
          for (std::size_t q = 0; q < n; ++q)
            if (out[q] >= nloc) mask |= 1u << gswap[out[q] - nloc];
          while (n % 4 != 0) out[n++] = dummy;
          count += n;
          blk.max_per_atom = std::max(blk.max_per_atom, static_cast<int>(n));
        }
        blk.first[static_cast<std::size_t>(blk.iend - blk.ibegin)] = static_cast<int>(count);
        blk.neigh.resize(count);
        blk.ghost_swaps = mask;
      },
      "neigh");
  make_schedule(ctx);
}

// make_schedule() groups blocks by the last stage whose ghosts they read (0
// for interior blocks) and splits each group over the workers in contiguous
// runs of about equal pair counts; each worker computes its groups in order,
// half of its blocks that read no message ghost last when there are messages.
void BinNeighbor::make_schedule(const Context& ctx) {
  const int workers = std::max(1, ctx.threads);
  std::array<int, kSwaps> stage_of{};
  const std::array<int, 3> order = stage_order(ctx.grid);
  for (int q = 0; q < 3; ++q) {
    stage_of[static_cast<std::size_t>(2 * order[static_cast<std::size_t>(q)])] = q + 1;
    stage_of[static_cast<std::size_t>(2 * order[static_cast<std::size_t>(q)] + 1)] = q + 1;
  }
  std::array<std::vector<int>, 4> groups;
  for (std::size_t b = 0; b < list_.blocks.size(); ++b) {
    int g = 0;
    for (int k = 0; k < kSwaps; ++k)
      if (list_.blocks[b].ghost_swaps & (1u << k))
        g = std::max(g, stage_of[static_cast<std::size_t>(k)]);
    groups[static_cast<std::size_t>(g)].push_back(static_cast<int>(b));
  }
  // With messages, each worker's blocks that read no message ghost (the
  // interior and local copies' groups) are split: the first part covers the
  // ghost positions' flight, the rest (kFreeLast of their pairs) comes after
  // the message border blocks and covers the ghost forces' flight back
  // (Comm::reverse_ghosts()).
  const int first_message = first_message_stage(ctx.grid);
  const bool messages = first_message < 3;
  constexpr double kFreeLast = 0.5;
  std::vector<std::vector<int>> share(static_cast<std::size_t>(workers));
  std::vector<std::vector<int>> spare(static_cast<std::size_t>(workers));
  std::vector<std::vector<int>> tail(static_cast<std::size_t>(workers));
  list_.schedule.assign(static_cast<std::size_t>(workers), {});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& group = groups[g];
    std::int64_t total = 0;
    for (int b : group) total += list_.blocks[static_cast<std::size_t>(b)].npairs + 1;
    std::int64_t before = 0;
    for (auto& v : share) v.clear();
    for (int b : group) {
      const std::int64_t w = list_.blocks[static_cast<std::size_t>(b)].npairs + 1;
      const auto mid = static_cast<double>(before) + 0.5 * static_cast<double>(w);
      const int worker =
          std::min(workers - 1, static_cast<int>(mid * workers / static_cast<double>(total)));
      share[static_cast<std::size_t>(worker)].push_back(b);
      before += w;
    }
    // groups g <= first_message read no message ghost (stage q is group q + 1)
    const bool ghost_free = messages && static_cast<int>(g) <= first_message;
    for (int w = 0; w < workers; ++w) {
      const auto& mine = share[static_cast<std::size_t>(w)];
      auto& out = ghost_free ? spare[static_cast<std::size_t>(w)]
                             : list_.schedule[static_cast<std::size_t>(w)];
      out.insert(out.end(), mine.begin(), mine.end());
    }
    if (!ghost_free || static_cast<int>(g) != first_message) continue;
    for (int w = 0; w < workers; ++w) {  // the worker's ghost-free blocks, split
      const auto& mine = spare[static_cast<std::size_t>(w)];
      auto& out = list_.schedule[static_cast<std::size_t>(w)];
      std::int64_t pairs = 0, acc = 0;
      for (int b : mine) pairs += list_.blocks[static_cast<std::size_t>(b)].npairs + 1;
      for (int b : mine) {  // by the block's middle, as the workers' split
        const std::int64_t wb = list_.blocks[static_cast<std::size_t>(b)].npairs + 1;
        const bool last = static_cast<double>(acc) + 0.5 * static_cast<double>(wb) >=
                          (1 - kFreeLast) * static_cast<double>(pairs);
        (last ? tail[static_cast<std::size_t>(w)] : out).push_back(b);
        acc += wb;
      }
    }
  }
  list_.ghost_free_from.assign(static_cast<std::size_t>(workers), 0);
  for (int w = 0; w < workers; ++w) {
    auto& out = list_.schedule[static_cast<std::size_t>(w)];
    const auto& t = tail[static_cast<std::size_t>(w)];
    list_.ghost_free_from[static_cast<std::size_t>(w)] = out.size();
    out.insert(out.end(), t.begin(), t.end());
  }
}

}  // namespace

std::unique_ptr<Neighbor> make_neighbor_bin() { return std::make_unique<BinNeighbor>(); }

}  // namespace weft::md
