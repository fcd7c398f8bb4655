// SPDX-License-Identifier: Apache-2.0
// The memory one rank of an MD run needs, from the deck alone. Bytes per
// atom come from the arrays the engine keeps (System, BinNeighbor,
// PairKernel's per-worker force buffers, CommStaged's buffers), with the
// growth factors of their vectors; checked against peak RSS of real runs
// (docs/md.md, "Limits").
#include "footprint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engine.hpp"
#include "init.hpp"
#include "weft/core/error.hpp"
#include "weft/core/memory.hpp"

namespace weft::md {
namespace {

// Bytes per atom (owned or ghost) of System: x y z, v, f (9 doubles), id,
// type, image flags; its vectors grow to twice what they hold.
constexpr double kSystemBytes = 2 * (9 * 8 + 8 + 4 + 3 * 4);
// BinNeighbor's per-atom scratch: binned copies, keys, permutations.
constexpr double kNeighborScratchBytes = 3 * 8 + 2 * 4 + 2 * 4 + 3 * 4 + 8 + 8 + 4 + 1;
// Per owned atom: positions at the last build (3 doubles), a checkpoint or
// trajectory frame's copy of the state (snapshot, id order).
constexpr double kOwnedBytes = 3 * 8 + 2 * (9 * 8 + 8 + 4 + 3 * 4);
// Per neighbour-list entry (an int), with the list's growth to twice.
constexpr double kNeighborEntryBytes = 2 * 4;
// Per ghost: border and force messages, sent and received.
constexpr double kGhostMessageBytes = 2 * (5 + 3 + 3) * 8;
// Per atom and worker: the worker's force buffer (fx fy fz 0) and, for every
// worker but the first, its reduction buffer (fx fy fz).
constexpr double kWorkerBytes = 4 * 8, kExtraWorkerBytes = 3 * 8;
// Per atom of a data file, on every rank while it reads the file: the parsed
// atom, the id map, and rank 0's minimum-distance cells.
constexpr double kDataAtomBytes = sizeof(DataFile::Atom) + 64 + 3 * 8;

std::int64_t lattice_atoms(const Config& c) {
  const auto nb = static_cast<std::int64_t>(lattice_geometry(c.init.lattice).basis.size());
  std::int64_t n = nb;
  const auto& cells = c.init.lattice.cells;
  for (std::int64_t k : cells) {
    if (__builtin_mul_overflow(n, k, &n))
      throw InputError(fmt::format(
          "lattice.cells = [{}, {}, {}] with {} atoms per cell makes about {:.3g} atoms, more "
          "than weft's 64-bit atom ids can number ({:.3g}); use fewer cells",
          cells[0], cells[1], cells[2], nb,
          static_cast<double>(nb) * static_cast<double>(cells[0]) * static_cast<double>(cells[1]) *
              static_cast<double>(cells[2]),
          static_cast<double>(INT64_MAX)));
  }
  return n;
}

// dims() is the process grid of the run, or {ranks, 1, 1} for a grid that
// does not fit the rank count (validate() refuses it with its own message).
std::array<int, 3> dims(const Config& c, int ranks) {
  const auto& g = c.decomposition.grid;
  double fixed = 1;
  for (int v : g)
    if (v > 0) fixed *= v;
  const bool all = g[0] > 0 && g[1] > 0 && g[2] > 0;
  if (all ? fixed != ranks : std::fmod(ranks, fixed) != 0) return {ranks, 1, 1};
  return choose_dims(c, ranks);
}

}  // namespace

Footprint footprint(const Config& c, int ranks, int threads) {
  Footprint f;
  ranks = std::max(ranks, 1);
  threads = std::max(threads, 1);
  Box box;
  int ntypes = static_cast<int>(c.species.size());
  double imbalance = 1;
  std::uint64_t data_atoms = 0;
  const std::array<int, 3> grid = dims(c, ranks);
  if (c.init.source == "data") {
    const DataFile h = read_data_file(c.init.data_file, periodic_flags(c), true);
    f.natoms = h.natoms;
    box = h.box;
    ntypes = h.ntypes;
    data_atoms = static_cast<std::uint64_t>(h.natoms);
  } else {
    f.natoms = lattice_atoms(c);
    box = lattice_box(c);
    // Whole cells per rank: the largest share has ceil(cells / dims) of them.
    for (std::size_t d = 0; d < 3; ++d) {
      const double per = static_cast<double>(c.init.lattice.cells[d]) / grid[d];
      imbalance *= std::ceil(per) / per;
    }
  }
  const PairStyle& pair = pair_style(c.pair.style);
  const double cut = pair.check(c.pair, std::max(ntypes, 1)) + c.neighbor.skin;
  const double volume = box.volume();
  const double density = volume > 0 ? static_cast<double>(f.natoms) / volume : 0;
  f.owned = static_cast<double>(f.natoms) / ranks * imbalance;
  double extended = 1, bins = 1;
  const double binsize = cut / std::max(1, c.neighbor.bins_per_cutoff);
  for (int d = 0; d < 3; ++d) {
    const auto du = static_cast<std::size_t>(d);
    const double len = box.length()[d] / grid[du];
    const bool ghosts = grid[du] > 1 || box.periodic[du] || c.box.boundary[du] == "p";
    const double ext = ghosts ? len + 2 * cut : len;
    extended *= ext;
    bins *= std::floor(ext / binsize) + 3;
  }
  f.ghosts = std::max(0.0, density * extended - static_cast<double>(f.natoms) / ranks);
  f.neighbors = 0.5 * density * 4.0 / 3.0 * std::numbers::pi * cut * cut * cut;
  f.bins = bins;
  const double all = f.owned + f.ghosts;
  const double bytes = all * (kSystemBytes + kNeighborScratchBytes + threads * kWorkerBytes +
                              (threads - 1) * kExtraWorkerBytes) +
                       f.owned * (kOwnedBytes + f.neighbors * kNeighborEntryBytes) +
                       f.ghosts * kGhostMessageBytes + bins * 2 * 4 +
                       static_cast<double>(data_atoms) * kDataAtomBytes +
                       3.0 * ntypes * ntypes * 8 * 8;  // pair and neighbour tables
  f.bytes = bytes >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(bytes);
  f.what = fmt::format(
      "{} atoms{}: up to {:.3g} owned and {:.3g} ghost atoms per rank on a {}x{}x{} grid, {:.3g} "
      "neighbours each, {} thread{}",
      f.natoms, data_atoms ? " read from " + c.init.data_file : std::string(), f.owned, f.ghosts,
      grid[0], grid[1], grid[2], f.neighbors, threads, threads == 1 ? "" : "s");
  return f;
}

}  // namespace weft::md
