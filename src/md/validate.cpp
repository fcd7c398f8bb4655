// SPDX-License-Identifier: Apache-2.0
// validate(): every input check that can be made before the run starts.
// Rank 0 does the work (it reads the data file); the verdict is broadcast so
// every rank throws the same InputError.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine.hpp"
#include "footprint.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw InputError(message);
}

// Finds the closest pair closer than dmin (minimum image in periodic dims).
void check_min_distance(const DataFile& df, real dmin) {
  if (!(dmin > 0) || df.atoms.size() < 2) return;
  const Vec3 len = df.box.length();
  std::array<int, 3> nc{};
  for (int d = 0; d < 3; ++d) {
    int n = static_cast<int>(std::floor(len[d] / dmin));
    n = std::min(n, 128);
    nc[static_cast<std::size_t>(d)] = n >= 3 ? n : 1;
  }
  const std::size_t ncell = static_cast<std::size_t>(nc[0]) * static_cast<std::size_t>(nc[1]) *
                            static_cast<std::size_t>(nc[2]);
  auto cell_of = [&](const Vec3& x, std::array<int, 3>& c) {
    for (int d = 0; d < 3; ++d) {
      const auto du = static_cast<std::size_t>(d);
      c[du] = std::clamp(static_cast<int>((x[d] - df.box.lo[d]) / len[d] * nc[du]), 0, nc[du] - 1);
    }
  };
  std::vector<std::size_t> start(ncell + 1, 0), order(df.atoms.size());
  std::vector<std::size_t> cell(df.atoms.size());
  for (std::size_t a = 0; a < df.atoms.size(); ++a) {
    std::array<int, 3> c{};
    cell_of(df.atoms[a].x, c);
    cell[a] = static_cast<std::size_t>(c[0] + nc[0] * (c[1] + nc[1] * c[2]));
    ++start[cell[a] + 1];
  }
  for (std::size_t k = 0; k < ncell; ++k) start[k + 1] += start[k];
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t a = 0; a < df.atoms.size(); ++a) order[fill[cell[a]]++] = a;
  }
  real best = dmin * dmin;
  std::size_t ba = 0, bb = 0;
  bool found = false;
  for (std::size_t a = 0; a < df.atoms.size(); ++a) {
    std::array<int, 3> c{};
    cell_of(df.atoms[a].x, c);
    std::array<int, 3> r{};
    for (std::size_t d = 0; d < 3; ++d) r[d] = nc[d] >= 3 ? 1 : 0;
    for (int dz = -r[2]; dz <= r[2]; ++dz)
      for (int dy = -r[1]; dy <= r[1]; ++dy)
        for (int dx = -r[0]; dx <= r[0]; ++dx) {
          std::array<int, 3> o{c[0] + dx, c[1] + dy, c[2] + dz};
          bool skip = false;
          for (std::size_t d = 0; d < 3; ++d) {
            if (o[d] < 0 || o[d] >= nc[d]) {
              if (!df.box.periodic[d]) skip = true;
              o[d] = (o[d] + nc[d]) % nc[d];
            }
          }
          if (skip) continue;
          const auto k = static_cast<std::size_t>(o[0] + nc[0] * (o[1] + nc[1] * o[2]));
          for (std::size_t q = start[k]; q < start[k + 1]; ++q) {
            const std::size_t b = order[q];
            if (b <= a) continue;
            Vec3 dv = df.atoms[a].x - df.atoms[b].x;
            for (int d = 0; d < 3; ++d)
              if (df.box.periodic[static_cast<std::size_t>(d)])
                dv[d] -= len[d] * std::round(dv[d] / len[d]);
            const real r2 = dv.squaredNorm();
            if (r2 < best) {
              best = r2;
              ba = a;
              bb = b;
              found = true;
            }
          }
        }
  }
  if (found) {
    const auto& A = df.atoms[ba];
    const auto& B = df.atoms[bb];
    std::ostringstream m;
    m << df.path << ":" << A.line << ": atoms " << A.id << " and " << B.id << " (line " << B.line
      << ") are " << std::sqrt(best) << " sigma apart, closer than init.min_distance = " << dmin
      << "; remove or move one of them (or lower init.min_distance)";
    throw InputError(m.str());
  }
}

void validate_rank0(const Config& c, int nranks) {
  require(!c.species.empty(), "species: at least one species is needed");
  for (std::size_t t = 0; t < c.species.size(); ++t)
    require(c.species[t].mass > 0, "species[" + std::to_string(t) + "] (\"" + c.species[t].name +
                                       "\"): mass must be positive");
  for (std::size_t d = 0; d < 3; ++d)
    require(c.box.boundary[d] == "p" || c.box.boundary[d] == "f",
            std::string("box.boundary[") + std::to_string(d) + "] = \"" + c.box.boundary[d] +
                "\": use \"p\" (periodic) or \"f\" (fixed)");
  const PairStyle& pair = pair_style(c.pair.style);  // throws InputError listing known styles
  require(c.pair.cutoff > 0, "pair.cutoff must be positive");
  require(c.neighbor.skin >= 0, "neighbor.skin must not be negative");
  require(c.neighbor.every >= 1, "neighbor.every must be at least 1");
  require(c.neighbor.bins_per_cutoff >= 1 && c.neighbor.bins_per_cutoff <= 4,
          "neighbor.bins_per_cutoff must be 1..4");
  require(c.integrator.dt > 0, "integrator.dt must be positive");
  integrator_style(c.integrator.style);  // throws InputError listing known styles
  require(c.run.steps >= 0, "run.steps must not be negative");
  require(c.thermo.every >= 0, "thermo.every must not be negative");
  require(c.velocity.temperature >= 0, "velocity.temperature must not be negative");
  for (int g : c.decomposition.grid)
    require(g >= 0, "decomposition.grid entries must be >= 0 (0 = automatic)");
  const auto& g = c.decomposition.grid;
  // In doubles: entries up to 2^31 would overflow an integer product.
  const double product = 1.0 * std::max(g[0], 1) * std::max(g[1], 1) * std::max(g[2], 1);
  if (g[0] > 0 && g[1] > 0 && g[2] > 0)
    require(product == nranks, fmt::format("decomposition.grid = [{}, {}, {}] needs {:.0f} ranks "
                                           "but the run has {}: change the grid or the rank count",
                                           g[0], g[1], g[2], product, nranks));
  else if (g[0] > 0 || g[1] > 0 || g[2] > 0)
    require(std::fmod(nranks, product) == 0,
            fmt::format("decomposition.grid fixes {:.0f} ranks in some dimensions, which does not "
                        "divide the {} ranks of the run",
                        product, nranks));

  // Counts beyond the index types, before the data file is read.
  const Footprint f = footprint(c, nranks, 1);
  if (f.owned + f.ghosts > static_cast<double>(kMaxAtomsPerRank) ||
      f.bins > static_cast<double>(kMaxAtomsPerRank)) {
    const double per = std::max(f.owned + f.ghosts, f.bins);
    throw InputError(fmt::format(
        "{} atoms on {} rank{} make up to {:.3g} atoms (with ghosts) and {:.3g} neighbour bins "
        "per rank, more than the {} one rank can index (32-bit neighbour indices and message "
        "counts); use at least {:.0f} ranks, or fewer atoms (a smaller box)",
        f.natoms, nranks, nranks == 1 ? "" : "s", f.owned + f.ghosts, f.bins, kMaxAtomsPerRank,
        std::ceil(nranks * per / static_cast<double>(kMaxAtomsPerRank) * 1.1)));
  }
  int ntypes = static_cast<int>(c.species.size());
  Box box;
  if (c.init.source == "lattice") {
    const LatticeGeometry lg = lattice_geometry(c.init.lattice);
    for (auto n : c.init.lattice.cells) require(n >= 1, "init.lattice.cells must all be >= 1");
    require(c.init.lattice.type >= 1 && c.init.lattice.type <= ntypes,
            "init.lattice.type = " + std::to_string(c.init.lattice.type) +
                " is an unknown atom type: the deck defines " + std::to_string(ntypes) +
                " species (types 1.." + std::to_string(ntypes) + ")");
    if (lg.nearest < c.init.min_distance) {
      std::ostringstream m;
      m << "lattice nearest-neighbour distance " << lg.nearest
        << " is below init.min_distance = " << c.init.min_distance
        << "; atoms 1 and 2 would overlap: lower the density";
      throw InputError(m.str());
    }
    box = lattice_box(c);
  } else if (c.init.source == "data") {
    require(!c.init.data_file.empty(), "init.source = \"data\" needs init.data_file");
    const DataFile df = read_data_file(c.init.data_file, periodic_flags(c));
    check_min_distance(df, c.init.min_distance);
    ntypes = df.ntypes;
    box = df.box;
  } else {
    throw InputError("init.source = \"" + c.init.source + "\": use lattice or data");
  }

  const real cutmax = pair.check(c.pair, ntypes);

  // Subdomains must be at least as thick as the ghost cutoff.
  Config probe = c;
  const std::array<int, 3> dims = choose_dims(probe, nranks);
  const real need = cutmax + c.neighbor.skin;
  for (int d = 0; d < 3; ++d) {
    const auto du = static_cast<std::size_t>(d);
    const bool periodic = c.box.boundary[du] == "p";
    if (dims[du] == 1 && !periodic) continue;
    const real thick = (box.hi[d] - box.lo[d]) / dims[du];
    if (thick < need) {
      std::ostringstream m;
      m << "the subdomain along "
        << "xyz"[d] << " is " << thick << " sigma thick (box length " << box.hi[d] - box.lo[d]
        << " over " << dims[du] << " rank(s), grid " << dims[0] << "x" << dims[1] << "x" << dims[2]
        << ") but must be at least cutoff + skin = " << need
        << ": use fewer ranks, a larger box, or set decomposition.grid to split other dimensions";
      throw InputError(m.str());
    }
  }
}

}  // namespace

void validate(const Config& config, MPI_Comm comm) {
  const int nranks = mpi::Comm(comm).size();
  mpi::rank0_then_agree<InputError>(comm, [&] { validate_rank0(config, nranks); });
}

}  // namespace weft::md
