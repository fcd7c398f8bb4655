// SPDX-License-Identifier: Apache-2.0
// Gadget-format HDF5 initial conditions (Gadget-2 io.c, Gadget-4
// snap_io.cc): /Header with NumPart_ThisFile, NumPart_Total (and
// NumPart_Total_HighWord), MassTable, NumFilesPerSnapshot; PartType1 with
// Coordinates (N x 3), Velocities (N x 3), ParticleIDs (N), and Masses (N)
// when MassTable[1] is 0. Only collisionless particles (type 1) in one file
// are read; anything else is refused with the reason.
#include <fmt/format.h>

#include <filesystem>

#include "initial.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/file.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

std::vector<std::int64_t> counts_of(const h5::Group& header, const std::string& name,
                                    const std::string& path) {
  if (!header.has_attribute(name))
    throw InputError(
        fmt::format("{}: /Header has no {} attribute; is this a Gadget HDF5 file?", path, name));
  const std::size_t n = header.attribute_size(name);
  if (n < 2 || n > 7)
    throw InputError(
        fmt::format("{}: /Header/{} has {} entries; a Gadget file has 6 (one per "
                    "particle type)",
                    path, name, n));
  return header.attribute_vector<std::int64_t>(name, n);
}

// Header is what the reader needs of /Header.
struct Header {
  std::int64_t count = 0;  // PartType1 particles
  double mass = 0;         // MassTable[1]; 0: per-particle Masses
};

Header read_header(const h5::File& f, const std::string& path) {
  if (!f.exists("Header"))
    throw InputError(fmt::format("{}: no /Header group; is this a Gadget HDF5 file?", path));
  const h5::Group header = f.open_group("Header");
  if (header.has_attribute("NumFilesPerSnapshot")) {
    const auto files = header.attribute<std::int64_t>("NumFilesPerSnapshot");
    if (files != 1)
      throw InputError(
          fmt::format("{}: NumFilesPerSnapshot = {}; weft reads initial conditions "
                      "from one file (join the files first)",
                      path, files));
  }
  const auto here = counts_of(header, "NumPart_ThisFile", path);
  auto total = counts_of(header, "NumPart_Total", path);
  if (header.has_attribute("NumPart_Total_HighWord")) {
    const auto high = counts_of(header, "NumPart_Total_HighWord", path);
    for (std::size_t t = 0; t < std::min(high.size(), total.size()); ++t) total[t] += high[t] << 32;
  }
  if (here.size() != total.size())
    throw InputError(fmt::format("{}: NumPart_ThisFile has {} entries and NumPart_Total {}", path,
                                 here.size(), total.size()));
  for (std::size_t t = 0; t < here.size(); ++t) {
    if (here[t] != total[t])
      throw InputError(
          fmt::format("{}: NumPart_ThisFile[{}] = {} but NumPart_Total[{}] = {} in a "
                      "file that should hold the whole set; the counts are "
                      "inconsistent",
                      path, t, here[t], t, total[t]));
    if (t != 1 && here[t] != 0)
      throw InputError(
          fmt::format("{}: {} particles of type {}; weft gravity reads only "
                      "collisionless particles (PartType1)",
                      path, here[t], t));
  }
  if (here[1] < 1)
    throw InputError(
        fmt::format("{}: NumPart_ThisFile[1] = {}; no PartType1 particles", path, here[1]));
  Header h;
  h.count = here[1];
  if (header.has_attribute("MassTable")) {
    const auto table =
        header.attribute_vector<double>("MassTable", header.attribute_size("MassTable"));
    if (table.size() > 1) h.mass = table[1];
  }
  return h;
}

h5::Dataset dataset(const h5::Group& g, const std::string& name, std::int64_t rows, int width,
                    const std::string& path) {
  if (!g.exists(name)) throw InputError(fmt::format("{}: PartType1 has no {} dataset", path, name));
  h5::Dataset d = g.open_dataset(name);
  const auto dims = d.dims();
  const bool shape_ok = !dims.empty() && static_cast<std::int64_t>(dims[0]) == rows &&
                        (width == 1 ? dims.size() == 1 : dims.size() == 2 && dims[1] == 3u);
  if (!shape_ok) {
    std::string shape;
    for (auto x : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(x);
    throw InputError(fmt::format(
        "{}: PartType1/{} is {} but the header announces {} particles "
        "({}); the counts are inconsistent",
        path, name, shape.empty() ? "a scalar" : shape, rows, width == 1 ? "N values" : "N x 3"));
  }
  return d;
}

}  // namespace

std::int64_t gadget_count(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InputError(fmt::format("initial.file {}: no such file", path));
  try {
    const h5::File f(path, h5::Mode::read);
    return read_header(f, path).count;
  } catch (const h5::Error& e) {
    throw InputError(fmt::format("initial.file {}: cannot be read as HDF5: {}", path, e.what()));
  }
}

Particles read_gadget(const std::string& path, MPI_Comm comm) {
  const mpi::Comm mc(comm);
  Particles p;
  std::string problem;
  try {
    const h5::File f(path, h5::Mode::read, comm);
    const Header h = read_header(f, path);
    const h5::Group g = f.open_group("PartType1");
    p.total = h.count;
    const Share sh = share(h.count, mc.rank(), mc.size());
    p.offset = sh.begin;
    const auto n = static_cast<hsize_t>(sh.end - sh.begin);
    const auto off = static_cast<hsize_t>(sh.begin);
    p.resize(n);
    std::vector<double> xyz(3 * n);
    dataset(g, "Coordinates", h.count, 3, path).read<double>({off, 0}, {n, 3}, xyz.data());
    for (std::size_t i = 0; i < n; ++i) p.pos[i] = Vec3(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    dataset(g, "Velocities", h.count, 3, path).read<double>({off, 0}, {n, 3}, xyz.data());
    for (std::size_t i = 0; i < n; ++i) p.vel[i] = Vec3(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    dataset(g, "ParticleIDs", h.count, 1, path).read<std::int64_t>({off}, {n}, p.id.data());
    if (h.mass > 0)
      std::fill(p.mass.begin(), p.mass.end(), h.mass);
    else if (g.exists("Masses"))
      dataset(g, "Masses", h.count, 1, path).read<double>({off}, {n}, p.mass.data());
    else
      throw InputError(
          fmt::format("{}: MassTable[1] is 0 and PartType1 has no Masses dataset; "
                      "give per-particle Masses or a MassTable[1] > 0",
                      path));
  } catch (const InputError& e) {
    problem = e.what();
  } catch (const h5::Error& e) {
    problem = fmt::format("initial.file {}: cannot be read: {}", path, e.what());
  }
  problem = mpi::first_error(problem, mc);
  if (!problem.empty()) throw InputError(problem);
  return p;
}

}  // namespace weft::gravity
