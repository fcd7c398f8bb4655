// SPDX-License-Identifier: Apache-2.0
#include "weft/io/checkpoint.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "weft/core/environment.hpp"
#include "weft/io/parameters.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/file.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::io {
namespace {

constexpr int kThermoColumns = 9;  // step time temp pe ke etotal press volume atoms

struct Layout {
  std::int64_t offset = 0, count = 0, total = 0;
};

Layout layout_of(std::int64_t mine, MPI_Comm comm) {
  const auto [offset, total] = mpi::exclusive_scan_offsets(mine, comm);
  return Layout{offset, mine, total};
}

h5::DatasetOptions chunked(hsize_t total, hsize_t width) {
  const hsize_t rows = std::max<hsize_t>(1, std::min<hsize_t>(total, 65536));
  return h5::DatasetOptions{.chunk = width ? std::vector<hsize_t>{rows, width} : std::vector<hsize_t>{rows},
                            .fletcher32 = true};
}

template <class T>
void write_column(h5::Group& g, const std::string& name, const Layout& l, const std::vector<T>& v) {
  const hsize_t total = static_cast<hsize_t>(std::max<std::int64_t>(l.total, 1));
  auto d = g.create_dataset<T>(name, {static_cast<hsize_t>(l.total)}, chunked(total, 0));
  d.template write<T>({static_cast<hsize_t>(l.offset)}, {static_cast<hsize_t>(l.count)}, v.data());
}

template <class T>
std::vector<T> read_column(const h5::Group& g, const std::string& name, const Layout& l) {
  std::vector<T> v(static_cast<std::size_t>(l.count));
  g.open_dataset(name).template read<T>({static_cast<hsize_t>(l.offset)}, {static_cast<hsize_t>(l.count)},
                               v.data());
  return v;
}

}  // namespace

void write_checkpoint(const std::string& path, MPI_Comm comm, const md::Snapshot& s,
                      const std::string& deck, const std::vector<md::ThermoRow>& thermo) {
  const int rank = mpi::Comm(comm).rank(), size = mpi::Comm(comm).size();
  const std::string part = path + ".part";
  const Layout l = layout_of(static_cast<std::int64_t>(s.id.size()), comm);
  {
    h5::File f(part, h5::Mode::create, comm);
    {
      write_parameters(f, deck, "checkpoint");
      auto c = f.create_group("checkpoint");
      c.set_attribute("format", std::int32_t{kCheckpointFormat});
      c.set_attribute("step", s.step);
      c.set_attribute("atoms", s.natoms);
      c.set_attribute("ago", s.ago);
      c.set_attribute("builds", s.builds);
      c.set_attribute("dangerous", s.dangerous);
      c.set_attribute("ranks", std::int32_t{size});
      c.set_attribute("grid", std::vector<std::int32_t>(s.grid.begin(), s.grid.end()));
      c.set_attribute("box_lo", std::vector<double>{s.box.lo.x(), s.box.lo.y(), s.box.lo.z()});
      c.set_attribute("box_hi", std::vector<double>{s.box.hi.x(), s.box.hi.y(), s.box.hi.z()});
      c.set_attribute("periodic", std::vector<std::int32_t>{s.box.periodic[0], s.box.periodic[1],
                                                           s.box.periodic[2]});
      c.set_attribute("mass", s.mass);
      // Thermostat state and thermo rows: small, written by rank 0.
      const hsize_t ni = s.integrator.size();
      auto integ = c.create_dataset<double>("integrator", {ni});
      integ.write<double>({0}, {rank == 0 ? ni : 0}, s.integrator.data());
      std::vector<double> rows;
      for (const auto& r : thermo)
        rows.insert(rows.end(), {static_cast<double>(r.step), r.time, r.temp, r.pe, r.ke, r.etotal,
                                 r.press, r.volume, static_cast<double>(r.atoms)});
      const std::uint64_t nrows = mpi::bcast(std::uint64_t{thermo.size()}, 0, comm);
      auto th = c.create_dataset<double>("thermo", {nrows, kThermoColumns});
      th.write<double>({0, 0}, {rank == 0 ? nrows : 0, kThermoColumns}, rows.data());
      // Per-rank atom counts: the same layout reads back exactly its own atoms.
      const std::vector<std::int64_t> counts = mpi::allgather(l.count, comm);
      auto rc = c.create_dataset<std::int64_t>("rank_counts", {static_cast<hsize_t>(size)});
      rc.write<std::int64_t>({0}, {rank == 0 ? static_cast<hsize_t>(size) : 0}, counts.data());
      auto atoms = c.create_group("atoms");
      write_column(atoms, "id", l, s.id);
      write_column(atoms, "type", l, std::vector<std::int32_t>(s.type.begin(), s.type.end()));
      for (const auto& [name, v] : {std::pair{"x", &s.x}, {"y", &s.y}, {"z", &s.z}, {"vx", &s.vx},
                                    {"vy", &s.vy}, {"vz", &s.vz}, {"xhold", &s.xhold},
                                    {"yhold", &s.yhold}, {"zhold", &s.zhold}})
        write_column(atoms, name, l, *v);
      write_column(atoms, "imx", l, s.imx);
      write_column(atoms, "imy", l, s.imy);
      write_column(atoms, "imz", l, s.imz);
    }
    f.close();
  }
  mpi::rank0_then_agree(comm, [&] {
    if (std::rename(part.c_str(), path.c_str()) != 0)
      throw RunError(fmt::format("cannot rename {} to {}", part, path));
  });
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  CheckpointInfo info;
  try {
    h5::File f(path, h5::Mode::read);
    if (!f.exists("parameters") || !f.exists("checkpoint"))
      throw InputError(fmt::format("--restart {}: not a weft checkpoint (it has no /checkpoint); "
                                   "give a ckpt-*.h5 file from a run's output directory", path));
    auto params = f.open_group("parameters");
    auto c = f.open_group("checkpoint");
    info.format = c.attribute<std::int32_t>("format");
    if (info.format != kCheckpointFormat)
      throw InputError(fmt::format("--restart {}: checkpoint format {} but this weft reads format "
                                   "{}; continue it with the weft version that wrote it ({})",
                                   path, info.format, kCheckpointFormat,
                                   params.string_attribute("program")));
    info.step = c.attribute<std::int64_t>("step");
    info.natoms = c.attribute<std::int64_t>("atoms");
    info.ranks = c.attribute<std::int32_t>("ranks");
    const auto g = c.attribute_vector<std::int32_t>("grid", 3);
    info.grid = {g[0], g[1], g[2]};
    info.deck = params.read_string("deck");
    info.program = params.string_attribute("program");
  } catch (const h5::Error& e) {
    throw InputError(fmt::format("--restart {}: cannot read it as a weft checkpoint (damaged, "
                                 "truncated or another kind of file): {}",
                                 path, e.what()));
  }
  return info;
}

md::Snapshot read_checkpoint(const std::string& path, MPI_Comm comm,
                             std::vector<md::ThermoRow>& thermo) {
  const int rank = mpi::Comm(comm).rank(), size = mpi::Comm(comm).size();
  md::Snapshot s;
  try {
    h5::File f(path, h5::Mode::read, comm);
    auto c = f.open_group("checkpoint");
    s.step = c.attribute<std::int64_t>("step");
    s.natoms = c.attribute<std::int64_t>("atoms");
    s.ago = c.attribute<std::int64_t>("ago");
    s.builds = c.attribute<std::int64_t>("builds");
    s.dangerous = c.attribute<std::int64_t>("dangerous");
    const auto g = c.attribute_vector<std::int32_t>("grid", 3);
    s.grid = {g[0], g[1], g[2]};
    const auto lo = c.attribute_vector<double>("box_lo", 3), hi = c.attribute_vector<double>("box_hi", 3);
    const auto per = c.attribute_vector<std::int32_t>("periodic", 3);
    s.box.lo = md::Vec3(lo[0], lo[1], lo[2]);
    s.box.hi = md::Vec3(hi[0], hi[1], hi[2]);
    s.box.periodic = {per[0] != 0, per[1] != 0, per[2] != 0};
    s.mass = c.attribute_vector<double>("mass", c.attribute_size("mass"));
    s.integrator = c.open_dataset("integrator").read_all<double>();
    const auto rows = c.open_dataset("thermo").read_all<double>();
    thermo.clear();
    for (std::size_t i = 0; i + kThermoColumns <= rows.size(); i += kThermoColumns) {
      md::ThermoRow r;
      r.step = static_cast<std::int64_t>(rows[i]);
      r.time = rows[i + 1];
      r.temp = rows[i + 2];
      r.pe = rows[i + 3];
      r.ke = rows[i + 4];
      r.etotal = rows[i + 5];
      r.press = rows[i + 6];
      r.volume = rows[i + 7];
      r.atoms = static_cast<std::int64_t>(rows[i + 8]);
      thermo.push_back(r);
    }
    const auto counts = c.open_dataset("rank_counts").read_all<std::int64_t>();
    Layout l;
    l.total = s.natoms;
    s.exact = static_cast<int>(counts.size()) == size;
    if (s.exact) {
      for (int r = 0; r < rank; ++r) l.offset += counts[static_cast<std::size_t>(r)];
      l.count = counts[static_cast<std::size_t>(rank)];
    } else {
      l.offset = s.natoms * rank / size;
      l.count = s.natoms * (rank + 1) / size - l.offset;
    }
    auto atoms = c.open_group("atoms");
    s.id = read_column<std::int64_t>(atoms, "id", l);
    const auto types = read_column<std::int32_t>(atoms, "type", l);
    s.type.assign(types.begin(), types.end());
    for (auto [name, v] : {std::pair{"x", &s.x}, {"y", &s.y}, {"z", &s.z}, {"vx", &s.vx},
                           {"vy", &s.vy}, {"vz", &s.vz}, {"xhold", &s.xhold}, {"yhold", &s.yhold},
                           {"zhold", &s.zhold}})
      *v = read_column<double>(atoms, name, l);
    s.imx = read_column<std::int32_t>(atoms, "imx", l);
    s.imy = read_column<std::int32_t>(atoms, "imy", l);
    s.imz = read_column<std::int32_t>(atoms, "imz", l);
    atoms = h5::Group();
    c = h5::Group();
    f.close();
  } catch (const h5::Error& e) {
    throw InputError(fmt::format("--restart {}: the checkpoint is damaged: {}", path, e.what()));
  }
  return s;
}

}  // namespace weft::io
