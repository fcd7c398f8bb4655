// SPDX-License-Identifier: Apache-2.0
// BinNeighbor: cell (bin) lists and Verlet lists with a skin.
//
// Bins tile the global box exactly (bin size = box length / an integer), at
// least `bins_per_cutoff` bins per neighbour cutoff. Owned atoms are sorted
// by bin at every rebuild so that the atoms of a bin are contiguous in memory
// and neighbour lists walk memory mostly forward. The list is a half list
// (Newton on): an owned pair (i, j) is stored once with j > i; a pair with a
// ghost j is stored on this rank when j lies "above" i in (z, y, x)
// lexicographic order, which holds on exactly one of the two ranks (or for
// exactly one of the two periodic images), so every interaction is computed
// once and ghost forces are sent back by reverse communication.
#include <algorithm>
#include <cmath>

#include "interfaces.hpp"
#include "parallel.hpp"

namespace weft::md {
namespace {


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
  std::vector<int> stencil_;
  std::vector<int> atom_bin_, bin_start_, bin_atoms_;
  NeighborList list_;
  // sort scratch
  std::vector<int> perm_;
  std::vector<real> rtmp_;
  std::vector<gid> gtmp_;
  std::vector<int> itmp_;

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
    const int lo = static_cast<int>(std::floor((s.sublo[d] - cutghost_ - s.box.lo[d]) * inv_binsize_[d])) - 1;
    const int hi = static_cast<int>(std::floor((s.subhi[d] + cutghost_ - s.box.lo[d]) * inv_binsize_[d])) + 1;
    blo_[du] = lo;
    mbins_[du] = hi - lo + 1;
  }
  // Full stencil: every bin whose closest point can be within cutmax.
  stencil_.clear();
  int reach[3];
  for (int d = 0; d < 3; ++d)
    reach[d] = static_cast<int>(std::ceil(cutmax_ * inv_binsize_[d]));
  for (int k = -reach[2]; k <= reach[2]; ++k)
    for (int j = -reach[1]; j <= reach[1]; ++j)
      for (int i = -reach[0]; i <= reach[0]; ++i) {
        auto gap = [&](int n, int d) { return std::max(0, std::abs(n) - 1) / inv_binsize_[d]; };
        const real dx = gap(i, 0), dy = gap(j, 1), dz = gap(k, 2);
        if (dx * dx + dy * dy + dz * dz < cutmax_ * cutmax_)
          stencil_.push_back(i + mbins_[0] * (j + mbins_[1] * k));
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
  for (int b = 0; b < nb; ++b) bin_start_[static_cast<std::size_t>(b) + 1] += bin_start_[static_cast<std::size_t>(b)];
  bin_atoms_.resize(static_cast<std::size_t>(n));
  std::vector<int> fill(bin_start_.begin(), bin_start_.end() - 1);
  for (index i = 0; i < n; ++i)
    bin_atoms_[static_cast<std::size_t>(fill[static_cast<std::size_t>(atom_bin_[static_cast<std::size_t>(i)])]++)] =
        static_cast<int>(i);
}

void BinNeighbor::sort_owned(Context& ctx) {
  System& s = ctx.sys;
  grid(ctx);
  const index n = s.nlocal;
  bin_atoms(s, n);  // stable counting sort of owned atoms by bin
  perm_.assign(bin_atoms_.begin(), bin_atoms_.begin() + n);
  auto permute_real = [&](std::vector<real>& v) {
    rtmp_.resize(static_cast<std::size_t>(n));
    for (index k = 0; k < n; ++k) rtmp_[static_cast<std::size_t>(k)] = v[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])];
    std::copy(rtmp_.begin(), rtmp_.end(), v.begin());
  };
  auto permute_int = [&](auto& v) {
    itmp_.resize(static_cast<std::size_t>(n));
    for (index k = 0; k < n; ++k) itmp_[static_cast<std::size_t>(k)] = static_cast<int>(v[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])]);
    for (index k = 0; k < n; ++k) v[static_cast<std::size_t>(k)] = static_cast<std::remove_reference_t<decltype(v[0])>>(itmp_[static_cast<std::size_t>(k)]);
  };
  for (auto* v : {&s.x, &s.y, &s.z, &s.vx, &s.vy, &s.vz}) permute_real(*v);
  gtmp_.resize(static_cast<std::size_t>(n));
  for (index k = 0; k < n; ++k) gtmp_[static_cast<std::size_t>(k)] = s.id[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])];
  std::copy(gtmp_.begin(), gtmp_.end(), s.id.begin());
  permute_int(s.type);
  permute_int(s.imx);
  permute_int(s.imy);
  permute_int(s.imz);
}

void BinNeighbor::build(Context& ctx) {
  const System& s = ctx.sys;
  const index nall = s.nall();
  const index nlocal = s.nlocal;
  bin_atoms(s, nall);
  // Task blocks: contiguous runs of bin-sorted owned atoms (compact regions
  // of space), at most 1024 atoms, and at least ~8 per worker when possible.
  const index block_atoms =
      std::clamp<index>(nlocal / (8 * std::max(1, ctx.threads)), 64, 1024);
  const index nblocks = std::max<index>(1, (nlocal + block_atoms - 1) / block_atoms);
  list_.blocks.resize(static_cast<std::size_t>(nblocks));
  const real* x = s.x.data();
  const real* y = s.y.data();
  const real* z = s.z.data();
  const int* type = s.type.data();
  const int nt = ntypes_;
  detail::parallel_blocks(ctx.threads, nblocks, [&](std::int64_t b, int) {
    NeighborBlock& blk = list_.blocks[static_cast<std::size_t>(b)];
    blk.ibegin = b * block_atoms;
    blk.iend = std::min(nlocal, blk.ibegin + block_atoms);
    blk.first.resize(static_cast<std::size_t>(blk.iend - blk.ibegin + 1));
    blk.neigh.clear();
    blk.max_per_atom = 0;
    for (index i = blk.ibegin; i < blk.iend; ++i) {
      blk.first[static_cast<std::size_t>(i - blk.ibegin)] = static_cast<int>(blk.neigh.size());
      const real xi = x[i], yi = y[i], zi = z[i];
      const real* cut_row = cutneighsq_.data() + (type[i] - 1) * nt;
      const int ib = atom_bin_[static_cast<std::size_t>(i)];
      const std::size_t before = blk.neigh.size();
      for (const int off : stencil_) {
        const int bb = ib + off;
        const int kend = bin_start_[static_cast<std::size_t>(bb) + 1];
        for (int k = bin_start_[static_cast<std::size_t>(bb)]; k < kend; ++k) {
          const int j = bin_atoms_[static_cast<std::size_t>(k)];
          if (j < nlocal) {
            if (j <= i) continue;
          } else {
            const bool above = z[j] > zi || (z[j] == zi && (y[j] > yi || (y[j] == yi && x[j] > xi)));
            if (!above) continue;
          }
          const real dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
          const real rsq = dx * dx + dy * dy + dz * dz;
          if (rsq < cut_row[type[j] - 1]) blk.neigh.push_back(j);
        }
      }
      blk.max_per_atom = std::max(blk.max_per_atom, static_cast<int>(blk.neigh.size() - before));
    }
    blk.first[static_cast<std::size_t>(blk.iend - blk.ibegin)] = static_cast<int>(blk.neigh.size());
  });
}

}  // namespace

std::unique_ptr<Neighbor> make_neighbor_bin() { return std::make_unique<BinNeighbor>(); }

}  // namespace weft::md
