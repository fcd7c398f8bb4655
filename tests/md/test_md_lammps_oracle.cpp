// SPDX-License-Identifier: Apache-2.0
// LAMMPS as a live oracle: LAMMPS builds a system and writes it with
// write_data (velocities included); LAMMPS and weft then run the same steps
// from that file and their thermo must agree to >= 6 significant digits.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "md_test_util.hpp"
#include "weft/md/integrators.hpp"
#include "weft/md/pair_lj_cut.hpp"

namespace weft::md {
namespace {

bool have_lmp() { return std::system("command -v lmp > /dev/null 2>&1") == 0; }

// run_lammps() runs `input` with a clean environment (no MPI launcher
// variables, so lmp starts as its own singleton) and returns the thermo rows
// (step -> {temp, epair, etotal, press}) printed by
// `thermo_style custom step temp epair etotal press`.
std::map<long, std::array<double, 4>> run_lammps(const test::TempDir& dir, const std::string& name,
                                                 const std::string& input) {
  const std::string in = dir.write(name + ".in", input);
  const std::string log = dir.file(name + ".log");
  const std::string cmd =
      "cd '" + dir.path().string() +
      "' && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp OMP_NUM_THREADS=1 "
      "lmp -in '" +
      in + "' -log '" + log + "' -screen none > /dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << "lmp failed: " << cmd;
  std::map<long, std::array<double, 4>> rows;
  std::ifstream f(log);
  std::string line;
  bool in_table = false;
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::string first;
    ss >> first;
    if (first == "Step") {
      in_table = true;
      continue;
    }
    if (first == "Loop") in_table = false;
    if (!in_table) continue;
    long step = 0;
    std::array<double, 4> v{};
    std::istringstream row(line);
    if (row >> step >> v[0] >> v[1] >> v[2] >> v[3]) rows[step] = v;
  }
  return rows;
}

void expect_agree(const ThermoRow& w, const std::array<double, 4>& l, double tol,
                  const char* what) {
  EXPECT_LT(test::rel(w.temp, l[0]), tol) << what << " temp weft " << w.temp << " lammps " << l[0];
  EXPECT_LT(test::rel(w.pe, l[1]), tol) << what << " pe weft " << w.pe << " lammps " << l[1];
  EXPECT_LT(test::rel(w.etotal, l[2]), tol)
      << what << " etotal weft " << w.etotal << " lammps " << l[2];
  EXPECT_LT(test::rel(w.press, l[3]), tol)
      << what << " press weft " << w.press << " lammps " << l[3];
}

const char* kThermo =
    "thermo_style custom step temp epair etotal press\n"
    "thermo_modify format float %.15g\n";

TEST(LammpsOracle, LjMeltFromWriteDataMatchesAtStep100) {
  if (!have_lmp())
    GTEST_SKIP() << "lmp (LAMMPS) is not on PATH; tools/check installs Debian's lammps";
  test::TempDir dir("oracle-melt");
  const std::string gen =
      "units lj\natom_style atomic\nlattice fcc 0.8442\nregion box block 0 20 0 20 0 20\n"
      "create_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\n"
      "velocity all create 1.44 87287 loop geom\n"
      "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\n"
      "write_data lj.data nocoeff\n";
  run_lammps(dir, "gen", gen);
  const std::string run =
      "units lj\natom_style atomic\nread_data lj.data\n"
      "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\n"
      "neighbor 0.3 bin\nneigh_modify delay 0 every 20 check no\nfix 1 all nve\n" +
      std::string(kThermo) + "thermo 100\nrun 100\n";
  auto lmp = run_lammps(dir, "run", run);
  ASSERT_TRUE(lmp.count(100)) << "no step-100 row in the LAMMPS log";

  Config cfg = test::in_lj();
  cfg.init.source = "data";
  cfg.init.data_file = dir.file("lj.data");
  cfg.velocity.create = false;
  cfg.run.steps = 100;
  cfg.thermo.every = 100;
  auto rows = test::run_rows(cfg, 1, MPI_COMM_WORLD);
  ASSERT_EQ(rows.size(), 2u);
  expect_agree(rows[0], lmp[0], 1e-9, "step 0");
  expect_agree(rows[1], lmp[100], 1e-6, "step 100");
  // LAMMPS's published bench/in.lj step 100 (same initial state).
  EXPECT_EQ(test::g8(rows[1].temp).substr(0, 7), std::string("0.7574531").substr(0, 7));
  EXPECT_LT(test::rel(rows[1].temp, 0.7574531), 1e-6);
  EXPECT_LT(test::rel(rows[1].pe, -5.7585055), 1e-6);
  EXPECT_LT(test::rel(rows[1].etotal, -4.6223613), 1e-6);
  EXPECT_LT(test::rel(rows[1].press, 0.20726105), 1e-6);
}

// A binary mixture: masses 1 and 2, per-pair cutoffs, mixing of the 1-2
// pair, 100 NVE steps with check-triggered rebuilds. LAMMPS refuses shift
// and tail together, so each is checked with one mixing rule.
void binary_mixture(const std::string& mixing, bool shift, bool tail) {
  test::TempDir dir("oracle-binary");
  const std::string gen =
      "units lj\natom_style atomic\nlattice fcc 0.8442\nregion box block 0 8 0 8 0 8\n"
      "create_box 2 box\ncreate_atoms 1 box\nset type 1 type/fraction 2 0.5 4321\n"
      "mass 1 1.0\nmass 2 2.0\nvelocity all create 1.2 1234 loop geom\n"
      "pair_style lj/cut 2.5\npair_coeff * * 1.0 1.0\n"
      "write_data mix.data nocoeff\n";
  run_lammps(dir, "gen", gen);
  const std::string run =
      "units lj\natom_style atomic\nread_data mix.data\n"
      "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\npair_coeff 2 2 0.8 0.9 2.2\n"
      "pair_modify mix " +
      mixing + " shift " + (shift ? "yes" : "no") + " tail " + (tail ? "yes" : "no") +
      "\nneighbor 0.3 bin\nneigh_modify delay 0 every 10 check yes\nfix 1 all nve\n" +
      std::string(kThermo) + "thermo 100\nrun 100\n";
  auto lmp = run_lammps(dir, "run", run);
  ASSERT_TRUE(lmp.count(100));

  Config cfg = test::in_lj();
  cfg.init.source = "data";
  cfg.init.data_file = dir.file("mix.data");
  cfg.velocity.create = false;
  cfg.pair.shift = shift;
  auto& lj = cfg.pair.params.get<LjCutParams>("lj/cut");
  lj.mixing = mixing;
  lj.tail = tail;
  lj.coeffs = {LjCoeff{{1, 1}, 1.0, 1.0, 2.5}, LjCoeff{{2, 2}, 0.8, 0.9, 2.2}};
  cfg.neighbor.every = 10;
  cfg.neighbor.check = true;
  cfg.run.steps = 100;
  cfg.thermo.every = 100;
  auto rows = test::run_rows(cfg, 1, MPI_COMM_WORLD);
  ASSERT_EQ(rows.size(), 2u);
  expect_agree(rows[0], lmp[0], 1e-9, "step 0");
  expect_agree(rows[1], lmp[100], 1e-6, "step 100");
}

TEST(LammpsOracle, BinaryMixtureArithmeticTailMatches) {
  if (!have_lmp())
    GTEST_SKIP() << "lmp (LAMMPS) is not on PATH; tools/check installs Debian's lammps";
  binary_mixture("arithmetic", false, true);
}

TEST(LammpsOracle, BinaryMixtureGeometricShiftMatches) {
  if (!have_lmp())
    GTEST_SKIP() << "lmp (LAMMPS) is not on PATH; tools/check installs Debian's lammps";
  binary_mixture("geometric", true, false);
}

// NVT with a Nose-Hoover chain (LAMMPS fix nvt, chain 3).
TEST(LammpsOracle, NoseHooverChainMatchesFixNvt) {
  if (!have_lmp())
    GTEST_SKIP() << "lmp (LAMMPS) is not on PATH; tools/check installs Debian's lammps";
  test::TempDir dir("oracle-nvt");
  const std::string gen =
      "units lj\natom_style atomic\nlattice fcc 0.8442\nregion box block 0 8 0 8 0 8\n"
      "create_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\n"
      "velocity all create 1.44 87287 loop geom\n"
      "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\n"
      "write_data nvt.data nocoeff\n";
  run_lammps(dir, "gen", gen);
  const std::string run =
      "units lj\natom_style atomic\nread_data nvt.data\n"
      "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\n"
      "neighbor 0.3 bin\nneigh_modify delay 0 every 20 check no\n"
      "fix 1 all nvt temp 1.0 1.0 0.5\n" +
      std::string(kThermo) + "thermo 100\nrun 100\n";
  auto lmp = run_lammps(dir, "run", run);
  ASSERT_TRUE(lmp.count(100));

  Config cfg = test::in_lj();
  cfg.init.source = "data";
  cfg.init.data_file = dir.file("nvt.data");
  cfg.velocity.create = false;
  cfg.integrator.style = "nose-hoover";
  cfg.integrator.params.get<NoseHooverParams>("nose-hoover") = {
      .temperature = 1.0, .damping = 0.5, .chain = 3};
  cfg.run.steps = 100;
  cfg.thermo.every = 100;
  auto rows = test::run_rows(cfg, 1, MPI_COMM_WORLD);
  ASSERT_EQ(rows.size(), 2u);
  expect_agree(rows[1], lmp[100], 1e-6,
               "step 100 (pe/temp/press; etotal excludes the thermostat energy)");
}

}  // namespace
}  // namespace weft::md
