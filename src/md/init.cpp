// SPDX-License-Identifier: Apache-2.0
#include "init.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "rng.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {

std::array<bool, 3> periodic_flags(const Config& cfg) {
  std::array<bool, 3> p{};
  for (std::size_t d = 0; d < 3; ++d) p[d] = cfg.box.boundary[d] == "p";
  return p;
}

LatticeGeometry lattice_geometry(const LatticeConfig& lc) {
  LatticeGeometry g;
  if (lc.style == "sc") {
    g.basis = {Vec3(0, 0, 0)};
  } else if (lc.style == "bcc") {
    g.basis = {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0.5)};
  } else if (lc.style == "fcc") {
    g.basis = {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0), Vec3(0.5, 0, 0.5), Vec3(0, 0.5, 0.5)};
  } else {
    throw InputError("unknown lattice style \"" + lc.style +
                     "\" in init.lattice.style; use sc, bcc or fcc");
  }
  if (lc.constant > 0) {
    g.a = lc.constant;
  } else {
    if (!(lc.density > 0))
      throw InputError("init.lattice.density must be positive (or give init.lattice.constant)");
    // LAMMPS units lj: lattice constant = (nbasis / rho*)^(1/3)
    g.a = std::pow(static_cast<real>(g.basis.size()) / lc.density, 1.0 / 3.0);
  }
  const real f = lc.style == "sc"    ? 1.0
                 : lc.style == "bcc" ? std::sqrt(3.0) / 2
                                     : 1.0 / std::sqrt(2.0);
  g.nearest = f * g.a;
  return g;
}

Box lattice_box(const Config& cfg) {
  const LatticeGeometry g = lattice_geometry(cfg.init.lattice);
  Box b;
  for (int d = 0; d < 3; ++d) {
    b.lo[d] = 0;
    b.hi[d] = static_cast<real>(cfg.init.lattice.cells[static_cast<std::size_t>(d)]) * g.a;
  }
  b.periodic = periodic_flags(cfg);
  return b;
}

static bool mine(const Context& ctx, const Vec3& p) {
  for (int d = 0; d < 3; ++d)
    if (owner_coord(ctx.grid, d, p[d]) != ctx.grid.coords[static_cast<std::size_t>(d)])
      return false;
  return true;
}

void create_lattice_atoms(Context& ctx) {
  const LatticeConfig& lc = ctx.cfg.init.lattice;
  const LatticeGeometry g = lattice_geometry(lc);
  System& s = ctx.sys;
  const auto nb = static_cast<std::int64_t>(g.basis.size());
  const auto nx = lc.cells[0], ny = lc.cells[1], nz = lc.cells[2];
  // Only scan the cells that can overlap this subdomain.
  std::array<std::int64_t, 3> c0{}, c1{};
  for (std::size_t d = 0; d < 3; ++d) {
    c0[d] = std::max<std::int64_t>(
        0, static_cast<std::int64_t>(std::floor(s.sublo[static_cast<int>(d)] / g.a)) - 1);
    c1[d] = std::min<std::int64_t>(
        lc.cells[d], static_cast<std::int64_t>(std::ceil(s.subhi[static_cast<int>(d)] / g.a)) + 1);
  }
  for (std::int64_t k = c0[2]; k < c1[2]; ++k)
    for (std::int64_t j = c0[1]; j < c1[1]; ++j)
      for (std::int64_t i = c0[0]; i < c1[0]; ++i)
        for (std::int64_t m = 0; m < nb; ++m) {
          const Vec3& b = g.basis[static_cast<std::size_t>(m)];
          const Vec3 p((static_cast<real>(i) + b.x()) * g.a, (static_cast<real>(j) + b.y()) * g.a,
                       (static_cast<real>(k) + b.z()) * g.a);
          if (!mine(ctx, p)) continue;
          const gid id = 1 + m + nb * (i + nx * (j + ny * k));
          s.push_owned(id, lc.type, p.x(), p.y(), p.z());
        }
  s.natoms = nb * nx * ny * nz;
}

void create_data_atoms(Context& ctx, const DataFile& data) {
  System& s = ctx.sys;
  const bool keep_v = data.has_velocities && !ctx.cfg.velocity.create;
  for (const auto& a : data.atoms) {
    if (!mine(ctx, a.x)) continue;
    const Vec3 v = keep_v ? a.v : Vec3::Zero();
    s.push_owned(a.id, a.type, a.x.x(), a.x.y(), a.x.z(), v.x(), v.y(), v.z(), a.image[0],
                 a.image[1], a.image[2]);
  }
  s.natoms = data.natoms;
}

void create_velocities(Context& ctx, real temperature, std::uint64_t seed) {
  System& s = ctx.sys;
  real p[4] = {0, 0, 0, 0};  // momentum, mass
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real m = s.mass[static_cast<std::size_t>(s.type[k])];
    const auto aid = static_cast<std::uint64_t>(s.id[k]);
    const real sd = 1.0 / std::sqrt(m);
    s.vx[k] = sd * detail::gaussian(seed, aid, 0);
    s.vy[k] = sd * detail::gaussian(seed, aid, 1);
    s.vz[k] = sd * detail::gaussian(seed, aid, 2);
    p[0] += m * s.vx[k];
    p[1] += m * s.vy[k];
    p[2] += m * s.vz[k];
    p[3] += m;
  }
  real g[4];
  mpi::allreduce(p, g, 4, MPI_SUM, ctx.comm);
  if (g[3] <= 0) return;
  const real cx = g[0] / g[3], cy = g[1] / g[3], cz = g[2] / g[3];
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    s.vx[k] -= cx;
    s.vy[k] -= cy;
    s.vz[k] -= cz;
  }
  const real n_dof = dof(ctx);
  const real mv2 = kinetic_sum(ctx);
  const real t = n_dof > 0 ? mv2 / n_dof : 0;
  const real factor = t > 0 ? std::sqrt(temperature / t) : 0;
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    s.vx[k] *= factor;
    s.vy[k] *= factor;
    s.vz[k] *= factor;
  }
}

// ------------------------------------------------------------------ data file

namespace {

std::string where(const std::string& path, int line) { return path + ":" + std::to_string(line); }

std::vector<std::string> words(const std::string& raw) {
  std::string line = raw;
  const auto hash = line.find('#');
  if (hash != std::string::npos) line.resize(hash);
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

bool to_real(const std::string& w, real& v) {
  const char* b = w.data();
  const char* e = b + w.size();
  if (b != e && *b == '+') ++b;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}
bool to_int(const std::string& w, std::int64_t& v) {
  const char* b = w.data();
  const char* e = b + w.size();
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

}  // namespace

DataFile read_data_file(const std::string& path, const std::array<bool, 3>& periodic) {
  std::ifstream in(path);
  if (!in) {
    throw InputError("cannot open LAMMPS data file \"" + path +
                     "\" (init.data_file): check the path (relative paths are relative to the "
                     "working directory)");
  }
  DataFile df;
  df.path = path;
  df.box.lo = Vec3::Constant(-0.5);
  df.box.hi = Vec3::Constant(0.5);
  df.box.periodic = periodic;
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::size_t ln = 1;  // line 1 (title) skipped
  bool have_atoms = false, have_types = false;
  const std::set<std::string> zero_ok{"bonds",
                                      "angles",
                                      "dihedrals",
                                      "impropers",
                                      "bond types",
                                      "angle types",
                                      "dihedral types",
                                      "improper types",
                                      "extra bond per atom",
                                      "extra angle per atom",
                                      "extra dihedral per atom",
                                      "extra improper per atom",
                                      "extra special per atom",
                                      "ellipsoids",
                                      "lines",
                                      "triangles",
                                      "bodies"};
  auto fail = [&](std::size_t line, const std::string& what) -> InputError {
    return InputError(where(path, static_cast<int>(line + 1)) + ": " + what);
  };
  // Header
  for (; ln < lines.size(); ++ln) {
    const auto w = words(lines[ln]);
    if (w.empty()) continue;
    real v0 = 0;
    if (!to_real(w[0], v0)) break;  // first line not starting with a number starts the body
    std::string key;
    std::size_t nnum = 0;
    while (nnum < w.size() && to_real(w[nnum], v0)) ++nnum;
    for (std::size_t k = nnum; k < w.size(); ++k) key += (key.empty() ? "" : " ") + w[k];
    auto num = [&](std::size_t k) {
      real v = 0;
      to_real(w[k], v);
      return v;
    };
    auto integer = [&](std::size_t k) {
      std::int64_t v = 0;
      if (!to_int(w[k], v) || v < 0)
        throw fail(ln, "\"" + w[k] + "\" is not a non-negative integer count for \"" + key + "\"");
      return v;
    };
    if (key == "atoms" && nnum == 1) {
      df.natoms = integer(0);
      have_atoms = true;
    } else if (key == "atom types" && nnum == 1) {
      df.ntypes = static_cast<int>(integer(0));
      have_types = true;
    } else if ((key == "xlo xhi" || key == "ylo yhi" || key == "zlo zhi") && nnum == 2) {
      const int d = key[0] - 'x';
      df.box.lo[d] = num(0);
      df.box.hi[d] = num(1);
      if (!(df.box.hi[d] > df.box.lo[d]))
        throw fail(ln, "box bounds \"" + key + "\" must have lo < hi");
    } else if (key == "xy xz yz") {
      throw fail(ln,
                 "triclinic boxes are not supported (weft boxes are orthogonal); remove the \"xy "
                 "xz yz\" line");
    } else if (zero_ok.count(key) && nnum == 1) {
      if (integer(0) != 0)
        throw fail(ln, "\"" + key + "\" must be 0: weft reads atom_style atomic data files only");
    } else {
      throw fail(ln,
                 "unknown or malformed header line \"" + lines[ln] +
                     "\"; expected e.g. \"32000 atoms\", \"1 atom types\", \"0.0 33.6 xlo xhi\"");
    }
  }
  if (!have_atoms) throw InputError(path + ": header has no \"N atoms\" line");
  if (!have_types || df.ntypes < 1)
    throw InputError(path + ": header has no \"N atom types\" line (at least 1)");
  df.mass.assign(static_cast<std::size_t>(df.ntypes) + 1, 0.0);
  std::vector<char> mass_set(static_cast<std::size_t>(df.ntypes) + 1, 0);
  bool have_masses = false;
  std::unordered_map<gid, std::size_t> by_id;
  // Body: sections
  for (; ln < lines.size(); ++ln) {
    const auto w = words(lines[ln]);
    if (w.empty()) continue;
    std::string key;
    for (const auto& x : w) key += (key.empty() ? "" : " ") + x;
    const std::size_t header_line = ln;
    auto section_lines = [&](std::int64_t n) {
      // The line after a section keyword is skipped (blank), then n lines.
      std::vector<std::size_t> out;
      std::size_t k = ln + 2;
      for (std::int64_t c = 0; c < n; ++c, ++k) {
        if (k >= lines.size())
          throw fail(header_line, "section \"" + key + "\" ends early: expected " +
                                      std::to_string(n) + " lines, the file ends after " +
                                      std::to_string(c));
        out.push_back(k);
      }
      ln = k - 1;
      return out;
    };
    if (key == "Masses") {
      have_masses = true;
      for (std::size_t k : section_lines(df.ntypes)) {
        const auto f = words(lines[k]);
        std::int64_t t = 0;
        real m = 0;
        if (f.size() != 2 || !to_int(f[0], t) || !to_real(f[1], m))
          throw fail(k, "Masses line must be \"type mass\", got \"" + lines[k] + "\"");
        if (t < 1 || t > df.ntypes)
          throw fail(k, "Masses entry for unknown atom type " + std::to_string(t) +
                            "; the header declares " + std::to_string(df.ntypes) + " atom type(s)");
        if (!(m > 0)) throw fail(k, "mass of type " + std::to_string(t) + " must be positive");
        df.mass[static_cast<std::size_t>(t)] = m;
        mass_set[static_cast<std::size_t>(t)] = 1;
      }
    } else if (key == "Atoms" || key.rfind("Atoms ", 0) == 0) {
      const auto hash = lines[ln].find('#');
      if (hash != std::string::npos) {
        const auto style = words(lines[ln].substr(hash + 1));
        if (!style.empty() && style[0] != "atomic")
          throw fail(ln, "Atoms section is for atom_style \"" + style[0] +
                             "\"; weft reads atom_style atomic only");
      }
      df.atoms.reserve(static_cast<std::size_t>(df.natoms));
      int nfields = -1;
      for (std::size_t k : section_lines(df.natoms)) {
        const auto f = words(lines[k]);
        if (nfields < 0) nfields = static_cast<int>(f.size());
        if ((f.size() != 5 && f.size() != 8) || static_cast<int>(f.size()) != nfields)
          throw fail(k,
                     "Atoms line must be \"id type x y z\" optionally followed by image flags \"ix "
                     "iy iz\" "
                     "(the same on every line), got \"" +
                         lines[k] + "\"");
        DataFile::Atom a;
        std::int64_t id = 0, t = 0;
        if (!to_int(f[0], id) || id < 1)
          throw fail(k, "atom id \"" + f[0] + "\" must be a positive integer");
        if (!to_int(f[1], t)) throw fail(k, "atom type \"" + f[1] + "\" must be an integer");
        a.id = id;
        a.type = static_cast<int>(t);
        a.line = static_cast<int>(k + 1);
        for (int d = 0; d < 3; ++d)
          if (!to_real(f[static_cast<std::size_t>(2 + d)], a.x[d]) || !std::isfinite(a.x[d]))
            throw fail(k,
                       "coordinate \"" + f[static_cast<std::size_t>(2 + d)] + "\" is not a number");
        if (f.size() == 8)
          for (std::size_t d = 0; d < 3; ++d) {
            std::int64_t im = 0;
            if (!to_int(f[5 + d], im))
              throw fail(k, "image flag \"" + f[5 + d] + "\" must be an integer");
            a.image[d] = static_cast<std::int32_t>(im);
          }
        if (t < 1 || t > df.ntypes)
          throw fail(k, "atom " + std::to_string(id) + " has unknown atom type " +
                            std::to_string(t) + "; the header declares " +
                            std::to_string(df.ntypes) +
                            " atom type(s): fix the type or raise \"atom types\"");
        for (int d = 0; d < 3; ++d) {
          if (a.x[d] < df.box.lo[d] || a.x[d] >= df.box.hi[d]) {
            std::ostringstream m;
            m.precision(10);
            m << "atom " << id << " is outside the box: "
              << "xyz"[d] << " = " << a.x[d] << " is not in [" << df.box.lo[d] << ", "
              << df.box.hi[d] << "); move it inside or enlarge the box bounds";
            throw fail(k, m.str());
          }
        }
        if (!by_id.emplace(a.id, df.atoms.size()).second)
          throw fail(k, "atom id " + std::to_string(id) + " appears twice in the Atoms section");
        df.atoms.push_back(a);
      }
    } else if (key == "Velocities") {
      if (df.atoms.empty() && df.natoms > 0)
        throw fail(ln, "the Velocities section must come after the Atoms section");
      for (std::size_t k : section_lines(df.natoms)) {
        const auto f = words(lines[k]);
        std::int64_t id = 0;
        Vec3 v;
        if (f.size() != 4 || !to_int(f[0], id) || !to_real(f[1], v[0]) || !to_real(f[2], v[1]) ||
            !to_real(f[3], v[2]))
          throw fail(k, "Velocities line must be \"id vx vy vz\", got \"" + lines[k] + "\"");
        auto it = by_id.find(id);
        if (it == by_id.end())
          throw fail(k, "velocity given for atom id " + std::to_string(id) +
                            " which is not in the Atoms section");
        df.atoms[it->second].v = v;
      }
      df.has_velocities = true;
    } else if (key == "Pair Coeffs" || key == "PairIJ Coeffs") {
      const std::int64_t n = key == "Pair Coeffs" ? df.ntypes : df.ntypes * (df.ntypes + 1) / 2;
      section_lines(n);  // ignored: pair coefficients come from the deck
    } else {
      throw fail(ln,
                 "unknown or unsupported section \"" + key +
                     "\"; weft reads Masses, Atoms (atomic), Velocities and ignores Pair Coeffs");
    }
  }
  if (!have_masses)
    throw InputError(path +
                     ": missing Masses section: add\n  Masses\n\n  1 1.0\n  ...\n"
                     "with one \"type mass\" line per atom type (the file declares " +
                     std::to_string(df.ntypes) + " atom type(s))");
  for (int t = 1; t <= df.ntypes; ++t)
    if (!mass_set[static_cast<std::size_t>(t)])
      throw InputError(path + ": the Masses section has no entry for atom type " +
                       std::to_string(t));
  if (static_cast<std::int64_t>(df.atoms.size()) != df.natoms)
    throw InputError(path + ": the header declares " + std::to_string(df.natoms) +
                     " atoms but there is no Atoms section");
  return df;
}

}  // namespace weft::md
