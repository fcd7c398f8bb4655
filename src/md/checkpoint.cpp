// SPDX-License-Identifier: Apache-2.0
// What an MD checkpoint holds (md::Snapshot) in the shared checkpoint
// layout (io::CheckpointWriter): attributes of the run state, the thermostat
// state, and one row per atom of this rank in /checkpoint/atoms.
#include <utility>
#include <vector>

#include "outputs.hpp"

namespace weft::md {
namespace {

// kDoubleColumns are the per-atom columns of doubles, by name (one list for
// writing and reading).
constexpr std::pair<const char*, std::vector<double> Snapshot::*> kDoubleColumns[] = {
    {"x", &Snapshot::x},         {"y", &Snapshot::y},         {"z", &Snapshot::z},
    {"vx", &Snapshot::vx},       {"vy", &Snapshot::vy},       {"vz", &Snapshot::vz},
    {"xhold", &Snapshot::xhold}, {"yhold", &Snapshot::yhold}, {"zhold", &Snapshot::zhold}};

}  // namespace

void write_snapshot(io::CheckpointWriter& w, const Snapshot& s) {
  w.attribute("atoms", s.natoms);
  w.attribute("ago", s.ago);
  w.attribute("builds", s.builds);
  w.attribute("dangerous", s.dangerous);
  w.attribute("grid", std::vector<std::int32_t>(s.grid.begin(), s.grid.end()));
  w.attribute("box_lo", std::vector<double>{s.box.lo.x(), s.box.lo.y(), s.box.lo.z()});
  w.attribute("box_hi", std::vector<double>{s.box.hi.x(), s.box.hi.y(), s.box.hi.z()});
  w.attribute("periodic",
              std::vector<std::int32_t>{s.box.periodic[0], s.box.periodic[1], s.box.periodic[2]});
  w.attribute("mass", s.mass);
  w.values("integrator", s.integrator);
  w.rows("atoms", static_cast<std::int64_t>(s.id.size()));
  w.column("id", s.id);
  w.column("type", std::vector<std::int32_t>(s.type.begin(), s.type.end()));
  for (const auto& [name, member] : kDoubleColumns) w.column(name, s.*member);
  w.column("imx", s.imx);
  w.column("imy", s.imy);
  w.column("imz", s.imz);
}

Snapshot read_snapshot(io::CheckpointReader& r) {
  Snapshot s;
  s.step = r.step();
  s.natoms = r.attribute<std::int64_t>("atoms");
  s.ago = r.attribute<std::int64_t>("ago");
  s.builds = r.attribute<std::int64_t>("builds");
  s.dangerous = r.attribute<std::int64_t>("dangerous");
  const auto g = r.attribute_vector<std::int32_t>("grid");
  s.grid = {g.at(0), g.at(1), g.at(2)};
  const auto lo = r.attribute_vector<double>("box_lo"), hi = r.attribute_vector<double>("box_hi");
  const auto per = r.attribute_vector<std::int32_t>("periodic");
  s.box.lo = Vec3(lo.at(0), lo.at(1), lo.at(2));
  s.box.hi = Vec3(hi.at(0), hi.at(1), hi.at(2));
  s.box.periodic = {per.at(0) != 0, per.at(1) != 0, per.at(2) != 0};
  s.mass = r.attribute_vector<double>("mass");
  s.integrator = r.values("integrator");
  r.rows("atoms");
  s.exact = r.exact();
  s.id = r.column_int64("id");
  const auto types = r.column_int32("type");
  s.type.assign(types.begin(), types.end());
  for (const auto& [name, member] : kDoubleColumns) s.*member = r.column_double(name);
  s.imx = r.column_int32("imx");
  s.imy = r.column_int32("imy");
  s.imz = r.column_int32("imz");
  return s;
}

}  // namespace weft::md
