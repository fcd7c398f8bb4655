// SPDX-License-Identifier: Apache-2.0
// MD's outputs on the shared I/O layer: the particle view of a System, the
// observables of a thermo row, and the H5MD trajectory (io::TrajectoryWriter)
// as an app::Output.
#include "weft/io/trajectory.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>

#include "outputs.hpp"
#include "weft/h5/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {

io::ParticleView particle_view(const System& s) {
  io::ParticleView v;
  v.count = s.nlocal;
  v.total = s.natoms;
  v.id = s.id.data();
  v.type = s.type.data();
  v.x = s.x.data();
  v.y = s.y.data();
  v.z = s.z.data();
  v.imx = s.imx.data();
  v.imy = s.imy.data();
  v.imz = s.imz.data();
  v.vx = s.vx.data();
  v.vy = s.vy.data();
  v.vz = s.vz.data();
  v.fx = s.fx.data();
  v.fy = s.fy.data();
  v.fz = s.fz.data();
  for (int d = 0; d < 3; ++d) {
    v.box.lo[static_cast<std::size_t>(d)] = s.box.lo[d];
    v.box.hi[static_cast<std::size_t>(d)] = s.box.hi[d];
  }
  v.box.periodic = s.box.periodic;
  v.type_names = s.type_names;
  return v;
}

std::vector<app::Series> thermo_series() {
  return {{"temperature", "Temp"},    {"potential_energy", "PotEng"}, {"kinetic_energy", "KinEng"},
          {"total_energy", "TotEng"}, {"pressure", "Press"},          {"volume", "Volume"},
          {"atoms", "Atoms"}};
}

std::vector<std::string> thermo_columns(const ThermoConfig& thermo) {
  static const std::map<std::string, std::string> by_keyword{
      {"step", "step"},           {"time", "time"},         {"temp", "temperature"},
      {"pe", "potential_energy"}, {"ke", "kinetic_energy"}, {"etotal", "total_energy"},
      {"press", "pressure"},      {"volume", "volume"},     {"atoms", "atoms"}};
  std::vector<std::string> out;
  for (const auto& c : thermo.columns) out.push_back(by_keyword.at(c));
  return out;
}

std::vector<double> thermo_values(const ThermoRow& r) {
  return {r.temp, r.pe, r.ke, r.etotal, r.press, r.volume, static_cast<double>(r.atoms)};
}

namespace {

// Trajectory writes a frame at every multiple of `every` (and at the first
// step of a new file when it is one).
class Trajectory final : public app::Output {
 public:
  Trajectory(Simulation& sim, std::int64_t every, std::unique_ptr<io::TrajectoryWriter> w)
      : sim_(sim), every_(every), w_(std::move(w)) {}
  void after_step(std::int64_t step) override {
    if (step % every_ == 0) write();
  }
  void finish() override { w_->finish(); }
  std::string name() const override { return "trajectory.h5md"; }
  void write() {
    const ThermoRow row = sim_.thermo();
    w_->write_frame(particle_view(sim_.system()), {row.step, row.time, thermo_values(row)});
  }

 private:
  Simulation& sim_;
  std::int64_t every_;
  std::unique_ptr<io::TrajectoryWriter> w_;
};

}  // namespace

std::unique_ptr<app::Output> open_trajectory(Simulation& sim, const Config& cfg,
                                             const app::RunContext& ctx) {
  const std::int64_t every = cfg.trajectory.every;
  if (every <= 0) return nullptr;
  const app::OutputConfig& out = ctx.common->output;
  const std::int64_t first = sim.system().step, last = ctx.common->run.steps;
  // Frames at the multiples of `every` in (first, last]; a new file also
  // gets one at `first` when it is a multiple.
  const std::int64_t to_come = last / every - first / every;
  io::TrajectoryOptions opt{
      .velocities = cfg.trajectory.velocities,
      .forces = cfg.trajectory.forces,
      .deflate = out.compression,
      .fletcher32 = out.checksums,
      .frames = to_come,
      .transfer =
          out.transfer == "collective" ? h5::Transfer::collective : h5::Transfer::independent,
      .units = {.length = "sigma", .velocity = "sigma tau-1", .force = "epsilon sigma-1"},
      .observables = {}};
  for (const auto& s : thermo_series()) opt.observables.push_back(s.name);
  const std::string path = ctx.out_dir + "/trajectory.h5md";
  const io::ParticleView view = particle_view(sim.system());
  std::unique_ptr<io::TrajectoryWriter> w;
  if (ctx.restart) {
    std::string damaged;
    try {
      w = io::TrajectoryWriter::resume(path, ctx.comm, ctx.run, first, view, opt);
    } catch (const h5::Error& e) {
      damaged = e.what();
    }
    // A trajectory cut by a crash in the middle of a frame may not open:
    // keep it aside (h5py may still read its earlier frames) and start a
    // new one rather than lose the run.
    if (!(damaged = mpi::first_error(damaged, ctx.comm)).empty()) {
      const std::string aside = fmt::format("{}.damaged-at-{}", path, first);
      if (mpi::Comm(ctx.comm).rank() == 0) {
        std::error_code ec;
        std::filesystem::rename(path + ".part", aside, ec);
      }
      spdlog::warn("cannot continue {} ({}); kept as {}, frames from step {} go to a new file",
                   path, damaged, aside, first);
    }
  }
  if (w) return std::make_unique<Trajectory>(sim, every, std::move(w));
  opt.frames = to_come + (first % every == 0 ? 1 : 0);
  auto t = std::make_unique<Trajectory>(
      sim, every, std::make_unique<io::TrajectoryWriter>(path, ctx.comm, ctx.run, view, opt));
  if (first % every == 0) t->write();
  return t;
}

}  // namespace weft::md
