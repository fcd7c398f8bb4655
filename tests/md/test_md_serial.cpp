// SPDX-License-Identifier: Apache-2.0
// Single-rank physics checks: LAMMPS step-0 values, NVE conservation,
// thermostats, input errors, blow-up detection.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "md_test_util.hpp"
#include "weft/core/error.hpp"
#include "weft/md/integrators.hpp"

namespace weft::md {
namespace {

using test::g8;

TEST(LjMelt, Step0MatchesLammpsPublishedThermo) {
  Config cfg = test::in_lj();  // defaults are bench/in.lj
  cfg.run.steps = 0;
  auto rows = test::run_rows(cfg, 1, MPI_COMM_WORLD);
  ASSERT_GE(rows.size(), 1u);
  const ThermoRow& r = rows.front();
  EXPECT_EQ(r.atoms, 32000);
  EXPECT_EQ(g8(r.volume), g8(33.591924 * 33.591924 * 33.591924));
  EXPECT_EQ(g8(r.temp), "1.44");
  EXPECT_EQ(g8(r.pe), "-6.7733681");
  EXPECT_EQ(g8(r.etotal), "-4.6134356");
  EXPECT_EQ(g8(r.press), "-5.0197073");
}

TEST(Lattice, LammpsLatticeSemantics) {
  Config cfg = test::in_lj();
  cfg.run.steps = 0;
  Simulation sim(cfg, test::serial(), MPI_COMM_WORLD);
  sim.setup();
  const System& s = sim.system();
  EXPECT_EQ(g8(s.box.hi.x()), "33.591924");
  EXPECT_EQ(s.natoms, 32000);
  for (const char* style : {"sc", "bcc"}) {
    Config c2;
    c2.init.lattice.style = style;
    c2.init.lattice.density = 0.8;
    c2.init.lattice.cells = {5, 5, 5};
    c2.init.min_distance = 0.1;
    Simulation sim2(c2, test::serial(), MPI_COMM_WORLD);
    sim2.setup();
    const int nb = std::string(style) == "sc" ? 1 : 2;
    EXPECT_EQ(sim2.system().natoms, 125 * nb);
    EXPECT_NEAR(sim2.system().box.hi.x(), 5 * std::cbrt(nb / 0.8), 1e-12);
  }
}

// Sums of momentum over owned atoms (single rank: all atoms).
Vec3 momentum(const System& s) {
  Vec3 p = Vec3::Zero();
  for (index i = 0; i < s.nlocal; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const real m = s.mass[static_cast<std::size_t>(s.type[k])];
    p += m * Vec3(s.vx[k], s.vy[k], s.vz[k]);
  }
  return p;
}

// NVE, 256 atoms (4x4x4 fcc cells) at T = 1.44, dt = 0.005, 10^4 steps with
// neighbour lists checked every step and the energy shifted to zero at the
// cutoff (plain truncation makes E jump by 0.0163/N at every cutoff
// crossing): the total energy per atom stays within 1e-3 (relative 2.4e-4)
// of its initial value -- LAMMPS 20220106 on the same set-up (velocity ...
// dist gaussian, pair_modify shift yes) deviates by 6.6e-4 -- and total
// momentum stays zero to rounding.
TEST(Nve, EnergyDriftAndMomentumOver10kSteps) {
  Config cfg = test::small_fcc(4, 10000);
  cfg.pair.shift = true;
  cfg.neighbor.every = 1;
  cfg.neighbor.check = true;
  cfg.thermo.every = 500;
  std::vector<ThermoRow> rows;
  RunHooks hooks;
  hooks.on_thermo = [&rows](const ThermoRow& r) { rows.push_back(r); };
  Simulation sim(cfg, test::serial(), MPI_COMM_WORLD);
  sim.setup(hooks);
  const Vec3 p0 = momentum(sim.system());
  EXPECT_LT(p0.norm(), 1e-12);
  sim.advance(cfg.run.steps, hooks);
  ASSERT_EQ(rows.size(), 21u);
  const real e0 = rows.front().etotal;
  real worst = 0;
  for (const auto& r : rows) worst = std::max(worst, std::abs(r.etotal - e0));
  RecordProperty("max_energy_deviation", std::to_string(worst));
  EXPECT_LT(worst, 1e-3) << "E0 = " << e0;
  std::printf("NVE 10^4 steps: max |E - E0| per atom = %.3g (E0 = %.8f)\n", worst, e0);
  const Vec3 p1 = momentum(sim.system());
  EXPECT_LT(p1.norm(), 1e-10) << "momentum " << p1.transpose();
  const RunReport rep = sim.report();
  EXPECT_EQ(rep.dangerous_builds, 0);
  EXPECT_GT(rep.neighbor_builds, 10);
}

TEST(Thermostat, NoseHooverAndLangevinReachTarget) {
  for (const char* style : {"nose-hoover", "langevin"}) {
    Config cfg = test::small_fcc(4, 4000);
    cfg.integrator.style = style;
    if (cfg.integrator.style == "langevin")
      cfg.integrator.params.get<LangevinParams>(style) = {.temperature = 2.0, .damping = 0.1};
    else
      cfg.integrator.params.get<NoseHooverParams>(style) = {.temperature = 2.0, .damping = 0.1};
    cfg.thermo.every = 100;
    auto rows = test::run_rows(cfg, 1, MPI_COMM_WORLD);
    real sum = 0;
    int n = 0;
    for (const auto& r : rows)
      if (r.step >= 2000) {
        sum += r.temp;
        ++n;
      }
    ASSERT_GT(n, 0);
    EXPECT_NEAR(sum / n, 2.0, 0.15) << style;
  }
}

// advance() in chunks with thermo() calls between them (as the run driver
// does around trajectory frames) must not change the trajectory, even with a
// thermostat that adds forces after the pair computation.
TEST(Chunks, ChunkedAdvanceWithThermoIsBitIdentical) {
  Config cfg = test::small_fcc(4, 200);
  cfg.integrator.style = "langevin";
  cfg.integrator.params.get<LangevinParams>("langevin").temperature = 1.5;
  cfg.thermo.every = 0;
  Simulation whole(cfg, test::serial(), MPI_COMM_WORLD);
  whole.setup();
  whole.advance(200);
  const ThermoRow a = whole.thermo();
  Simulation parts(cfg, test::serial(), MPI_COMM_WORLD);
  parts.setup();
  for (int k = 0; k < 4; ++k) {
    parts.advance(50);
    (void)parts.thermo();
  }
  const ThermoRow b = parts.thermo();
  EXPECT_EQ(a.step, 200);
  EXPECT_EQ(b.step, 200);
  EXPECT_EQ(a.temp, b.temp);
  EXPECT_EQ(a.pe, b.pe);
  EXPECT_EQ(a.press, b.press);
}

TEST(Report, LammpsLikeReport) {
  Config cfg = test::small_fcc(5, 40);
  auto rep = run(cfg, test::serial(), MPI_COMM_WORLD);
  EXPECT_EQ(rep.steps, 40);
  EXPECT_EQ(rep.atoms, 500);
  EXPECT_EQ(rep.neighbor_builds, 2);
  EXPECT_GT(rep.atom_steps_per_s, 0);
  EXPECT_GT(rep.total_neighbors, 0);
  const std::string text = format_report(rep);
  for (const char* key :
       {"Loop time of", "Matom-step/s", "tau/day", "Pair", "Neigh", "Comm", "Output", "Other",
        "Load imbalance", "Neighbor list builds = 2", "Dangerous builds"})
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
}

// ------------------------------------------------------------ input errors

std::string data_file(int ntypes, bool masses, const std::vector<std::string>& atoms) {
  std::ostringstream f;
  f << "LAMMPS data file for a test\n\n"
    << atoms.size() << " atoms\n"
    << ntypes << " atom types\n\n"
    << "0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\n";
  if (masses) {
    f << "Masses\n\n";
    for (int t = 1; t <= ntypes; ++t) f << t << " 1.0\n";
    f << "\n";
  }
  f << "Atoms # atomic\n\n";
  for (const auto& a : atoms) f << a << "\n";
  return f.str();
}

std::string input_error(const Config& cfg) {
  try {
    validate(cfg, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

Config from_data(const std::string& path) {
  Config cfg = test::in_lj();
  cfg.init.source = "data";
  cfg.init.data_file = path;
  return cfg;
}

TEST(InputErrors, DataFileProblemsAreNamedWithFileAndLine) {
  test::TempDir dir("errors");
  const std::vector<std::string> good{"1 1 1 1 1", "2 1 4 4 4", "3 1 7 7 7"};
  EXPECT_EQ(input_error(from_data(dir.write("good.data", data_file(1, true, good)))), "");

  // atom outside the box
  const std::string outside =
      dir.write("outside.data", data_file(1, true, {"1 1 1 1 1", "2 1 4 12.5 4", "3 1 7 7 7"}));
  std::string msg = input_error(from_data(outside));
  EXPECT_NE(msg.find("outside.data:17"), std::string::npos) << msg;
  EXPECT_NE(msg.find("atom 2 is outside the box"), std::string::npos) << msg;

  // two atoms too close, named by id
  const std::string close =
      dir.write("close.data", data_file(1, true, {"1 1 1 1 1", "7 1 4 4 4", "9 1 4.1 4 4"}));
  msg = input_error(from_data(close));
  EXPECT_NE(msg.find("atoms 7 and 9"), std::string::npos) << msg;
  EXPECT_NE(msg.find("min_distance"), std::string::npos) << msg;
  // ... also across a periodic boundary
  const std::string wrap =
      dir.write("wrap.data", data_file(1, true, {"1 1 0.1 5 5", "2 1 9.95 5 5"}));
  msg = input_error(from_data(wrap));
  EXPECT_NE(msg.find("atoms 1 and 2"), std::string::npos) << msg;

  // unknown atom type
  const std::string type = dir.write("type.data", data_file(1, true, {"1 1 1 1 1", "2 3 4 4 4"}));
  msg = input_error(from_data(type));
  EXPECT_NE(msg.find("type.data:17"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown atom type 3"), std::string::npos) << msg;

  // missing Masses section
  const std::string nomass = dir.write("nomass.data", data_file(1, false, good));
  msg = input_error(from_data(nomass));
  EXPECT_NE(msg.find("missing Masses section"), std::string::npos) << msg;

  // unreadable file
  msg = input_error(from_data(dir.file("does-not-exist.data")));
  EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;

  // malformed Atoms line
  const std::string bad = dir.write("bad.data", data_file(1, true, {"1 1 1 1", "2 1 4 4 4"}));
  msg = input_error(from_data(bad));
  EXPECT_NE(msg.find("bad.data:16"), std::string::npos) << msg;
}

TEST(InputErrors, ConfigProblems) {
  Config thin;
  thin.init.lattice.cells = {1, 1, 1};  // 1.68 sigma box < cutoff + skin
  std::string msg = input_error(thin);
  EXPECT_NE(msg.find("cutoff + skin = 2.8"), std::string::npos) << msg;

  Config type;
  type.init.lattice.type = 2;
  msg = input_error(type);
  EXPECT_NE(msg.find("unknown atom type"), std::string::npos) << msg;

  Config style;
  style.integrator.style = "verlet-magic";
  msg = input_error(style);
  EXPECT_NE(msg.find("unknown integrator style"), std::string::npos) << msg;

  Config dense;
  dense.init.min_distance = 1.5;  // fcc nearest neighbours are 1.19 apart
  msg = input_error(dense);
  EXPECT_NE(msg.find("min_distance"), std::string::npos) << msg;
}

// ------------------------------------------------------------ blow-up

TEST(BlowUp, OverlappingAtomsStopWithStepAndAtom) {
  test::TempDir dir("blowup");
  Config cfg = from_data(dir.write(
      "overlap.data",
      data_file(1, true,
                {"1 1 1 1 1", "2 1 5 5 5", "3 1 5 5 5.0000000000000000001", "4 1 8 8 8"})));
  cfg.init.min_distance = 0;  // let it through validation
  EXPECT_EQ(input_error(cfg), "");
  try {
    run(cfg, test::serial(), MPI_COMM_WORLD);
    ADD_FAILURE() << "no RunError";
  } catch (const RunError& e) {
    const std::string msg = e.what();
    std::printf("blow-up message: %s\n", msg.c_str());
    EXPECT_NE(msg.find("step 0"), std::string::npos) << msg;
    EXPECT_TRUE(msg.find("id 2") != std::string::npos || msg.find("id 3") != std::string::npos)
        << msg;
  }
}

TEST(BlowUp, HugeTimestepStopsWithRunError) {
  Config cfg = test::small_fcc(4, 2000);
  cfg.integrator.dt = 0.2;
  cfg.thermo.every = 10;
  try {
    run(cfg, test::serial(), MPI_COMM_WORLD);
    ADD_FAILURE() << "no RunError";
  } catch (const RunError& e) {
    const std::string msg = e.what();
    std::printf("blow-up message: %s\n", msg.c_str());
    EXPECT_NE(msg.find("step"), std::string::npos) << msg;
    EXPECT_NE(msg.find("atom"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace weft::md
