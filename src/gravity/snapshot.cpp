// SPDX-License-Identifier: Apache-2.0
// Gadget-2 layout snapshots (io.c's HDF5 writer), readable by Gadget's own
// tools and by yt as GadgetHDF5Dataset. Only type 1 (collisionless) is
// used; per-particle masses (MassTable all 0).
#include "snapshot.hpp"

#include <fmt/format.h>

#include <cmath>

#include "weft/io/columns.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::gravity {
namespace {

std::vector<double> flat(const std::vector<Vec3>& v) {
  std::vector<double> out(3 * v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    for (int k = 0; k < 3; ++k) out[3 * i + static_cast<std::size_t>(k)] = v[i][k];
  return out;
}

void write_header(h5::Group& h, const Particles& p, double time, MPI_Comm comm) {
  const auto n = static_cast<std::uint64_t>(p.total);
  const auto low = static_cast<std::uint32_t>(n & 0xffffffffu);
  const auto high = static_cast<std::uint32_t>(n >> 32);
  h.set_attribute("NumPart_ThisFile", std::vector<std::uint32_t>{0, low, 0, 0, 0, 0});
  h.set_attribute("NumPart_Total", std::vector<std::uint32_t>{0, low, 0, 0, 0, 0});
  h.set_attribute("NumPart_Total_HighWord", std::vector<std::uint32_t>{0, high, 0, 0, 0, 0});
  h.set_attribute("MassTable", std::vector<double>(6, 0.0));
  h.set_attribute("Time", time);
  h.set_attribute("Redshift", 0.0);
  // BoxSize: the side of the cube centred on the origin that holds every
  // particle (the run is not periodic; yt takes [0, BoxSize]^3 as its
  // domain unless yt.load() is given bounding_box).
  double extent = 0;
  for (const Vec3& x : p.pos) extent = std::max(extent, x.cwiseAbs().maxCoeff());
  extent = mpi::allreduce(extent, MPI_MAX, mpi::Comm(comm));
  h.set_attribute("BoxSize", 2 * extent);
  h.set_attribute("NumFilesPerSnapshot", std::int32_t{1});
  h.set_attribute("Omega0", 0.0);
  h.set_attribute("OmegaLambda", 0.0);
  h.set_attribute("HubbleParam", 1.0);
  for (const char* flag : {"Flag_Sfr", "Flag_Cooling", "Flag_StellarAge", "Flag_Metals",
                           "Flag_Feedback", "Flag_Entropy_ICs"})
    h.set_attribute(flag, std::int32_t{0});
  h.set_attribute("Code", "weft");
}

class Snapshots final : public app::Output {
 public:
  Snapshots(const Config& c, const app::RunContext& ctx, const Particles& p, const double& time)
      : c_(c), ctx_(ctx), p_(p), time_(time) {}
  void after_step(std::int64_t step) override {
    if (c_.snapshot.every > 0 && step % c_.snapshot.every == 0) write(step);
  }
  void finish() override {}
  std::string name() const override { return "snapshot_*.hdf5"; }
  void write(std::int64_t step) {
    write_snapshot(ctx_.out_dir + "/" + snapshot_name(step), p_, time_, ctx_, c_);
  }

 private:
  const Config& c_;
  const app::RunContext& ctx_;
  const Particles& p_;
  const double& time_;
};

}  // namespace

std::string snapshot_name(std::int64_t step) { return fmt::format("snapshot_{:06d}.hdf5", step); }

void write_snapshot(const std::string& path, const Particles& p, double time,
                    const app::RunContext& ctx, const Config& c) {
  io::ColumnOptions o;
  o.deflate = ctx.common->output.compression;
  o.fletcher32 = ctx.common->output.checksums;
  io::ColumnWriter w(path, ctx.comm, ctx.run, "snapshot", o);
  h5::Group& header = w.group("Header");
  write_header(header, p, time, ctx.comm);
  header.link("/parameters", "/Parameters");  // Gadget-4's name for it
  h5::Group& units = w.group("Units");
  units.set_attribute("system", ctx.run.units);
  units.set_attribute("G", c.gravity.G);
  units.set_attribute("note", "N-body units: G as given, no physical unit implied");
  h5::Group& g = w.group("PartType1");
  io::ColumnWriter::Table t = w.table(g, static_cast<std::int64_t>(p.size()));
  t.column("Coordinates", flat(p.pos), 3);
  t.column("Velocities", flat(p.vel), 3);
  t.column("Masses", p.mass);
  std::vector<std::uint64_t> ids(p.id.begin(), p.id.end());
  t.column("ParticleIDs", ids);
  t.column("Potential", p.pot);
  t.column("Acceleration", flat(p.acc), 3);
  w.commit();
}

std::unique_ptr<app::Output> make_snapshots(const Config& c, const app::RunContext& ctx,
                                            const Particles& p, const double& time,
                                            std::int64_t first_step) {
  auto s = std::make_unique<Snapshots>(c, ctx, p, time);
  if (c.snapshot.every > 0 && !ctx.restart) s->write(first_step);
  return s;
}

}  // namespace weft::gravity
