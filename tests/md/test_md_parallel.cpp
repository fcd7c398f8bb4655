// SPDX-License-Identifier: Apache-2.0
// Multi-rank checks, registered at 1, 2 and 4 ranks. Layout comparisons run
// every rank count up to the world size on sub-communicators, so the 4-rank
// test compares 1, 2 and 4 ranks x 1 and 2 threads in one execution.
#include <gtest/gtest.h>

#include <algorithm>

#include "md_test_util.hpp"
#include "mpi_world.hpp"
#include "weft/core/error.hpp"
#include "weft/mpi/collectives.hpp"

namespace weft::md {
namespace {

// run_on() runs cfg on the first `nranks` world ranks; the step-`last` row
// is returned on world rank 0.
ThermoRow run_on(const Config& cfg, int nranks, int threads) {
  const mpi::Comm sub = mpi::world().split(world_rank() < nranks ? 0 : MPI_UNDEFINED, world_rank());
  ThermoRow last;
  if (!sub.null()) {
    auto rows = test::run_rows(cfg, threads, sub.get());
    if (!rows.empty()) last = rows.back();
  }
  mpi::barrier(MPI_COMM_WORLD);
  return last;
}

TEST(Layouts, Step100AgreesOverRanksAndThreads) {
  Config cfg = test::small_fcc(8, 100);  // 2048 atoms, in.lj settings otherwise
  const ThermoRow ref = run_on(cfg, 1, 1);
  for (int nranks = 1; nranks <= world_size(); nranks *= 2) {
    for (int threads : {1, 2}) {
      if (nranks == 1 && threads == 1) continue;
      const ThermoRow r = run_on(cfg, nranks, threads);
      if (world_rank() != 0) continue;
      SCOPED_TRACE(std::to_string(nranks) + " ranks x " + std::to_string(threads) + " threads");
      std::printf(
          "%d ranks x %d threads: step-100 relative differences to 1x1: temp %.2g pe %.2g press "
          "%.2g\n",
          nranks, threads, test::rel(r.temp, ref.temp), test::rel(r.pe, ref.pe),
          test::rel(r.press, ref.press));
      EXPECT_EQ(r.step, 100);
      EXPECT_EQ(r.atoms, 2048);
      EXPECT_LT(test::rel(r.temp, ref.temp), 1e-9) << r.temp << " vs " << ref.temp;
      EXPECT_LT(test::rel(r.pe, ref.pe), 1e-9) << r.pe << " vs " << ref.pe;
      EXPECT_LT(test::rel(r.etotal, ref.etotal), 1e-9) << r.etotal << " vs " << ref.etotal;
      EXPECT_LT(test::rel(r.press, ref.press), 1e-9) << r.press << " vs " << ref.press;
    }
  }
}

TEST(Layouts, SameLayoutIsBitIdentical) {
  Config cfg = test::small_fcc(8, 60);
  cfg.neighbor.check = true;
  cfg.neighbor.every = 2;
  const ThermoRow a = run_on(cfg, world_size(), 2);
  const ThermoRow b = run_on(cfg, world_size(), 2);
  if (world_rank() == 0) {
    EXPECT_EQ(a.temp, b.temp);
    EXPECT_EQ(a.pe, b.pe);
    EXPECT_EQ(a.press, b.press);
  }
}

// run_with() runs cfg on every world rank under `scheduler` and returns the
// thermo rows and the report.
std::pair<std::vector<ThermoRow>, RunReport> run_with(const Config& cfg,
                                                      const std::string& scheduler, int threads) {
  std::vector<ThermoRow> rows;
  RunHooks hooks;
  hooks.on_thermo = [&rows](const ThermoRow& r) { rows.push_back(r); };
  go::Executor ex({.scheduler = go::parse_scheduler(scheduler), .threads = threads});
  Simulation sim(cfg, ex, MPI_COMM_WORLD);
  sim.setup(hooks);
  sim.advance(cfg.run.steps, hooks);
  return {rows, sim.report()};
}

// The fiber scheduler computes interior blocks while ghost positions are in
// flight, border blocks as their messages arrive, and the rest while ghost
// forces go back, in a schedule fixed at the neighbour build: every thermo
// row equals OpenMP's bit for bit.
TEST(Schedulers, FibersWithOverlapMatchOpenMPBitForBit) {
  Config cfg = test::small_fcc(10, 100);  // 4000 atoms, box 16.8
  cfg.thermo.every = 10;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    const auto [omp_rows, omp_report] = run_with(cfg, "openmp", threads);
    const auto [fib_rows, fib] = run_with(cfg, "fibers", threads);
    ASSERT_EQ(omp_rows.size(), 11u);
    ASSERT_EQ(fib_rows.size(), omp_rows.size());
    for (std::size_t k = 0; k < omp_rows.size(); ++k) {
      EXPECT_EQ(fib_rows[k].temp, omp_rows[k].temp) << "step " << omp_rows[k].step;
      EXPECT_EQ(fib_rows[k].pe, omp_rows[k].pe) << "step " << omp_rows[k].step;
      EXPECT_EQ(fib_rows[k].press, omp_rows[k].press) << "step " << omp_rows[k].step;
    }
    // Every step without a rebuild overlapped its ghost messages (on one
    // rank there are none: local copies go first).
    EXPECT_EQ(omp_report.overlapped_steps, 0);
    EXPECT_EQ(fib.neighbor_builds, 5);
    if (world_size() == 1) {
      EXPECT_EQ(fib.overlapped_steps, 0);
    } else {
      EXPECT_EQ(fib.overlapped_steps, fib.steps - fib.neighbor_builds);
      // Part of the pairs never wait for a message, part do.
      EXPECT_GT(fib.interior_share, 0.05);
      EXPECT_LT(fib.interior_share, 0.95);
      // Blocks that read no message ghost are kept for the end, while the
      // ghost forces go back (ReverseGate).
      EXPECT_GT(fib.late_share, 0.0);
      EXPECT_LT(fib.late_share, 1.0);
    }
  }
}

// All atom ids over all ranks, on every rank.
std::vector<gid> all_ids(const System& s, MPI_Comm comm) {
  return mpi::allgatherv(s.id.data(), static_cast<int>(s.nlocal), comm);
}

// A hot dilute gas (T = 10) whose atoms cross many subdomains: after every
// 100 steps the atom count is conserved and every id is present once.
TEST(Migration, HotGasKeepsEveryAtomOnce) {
  Config cfg = test::in_lj();
  cfg.init.lattice.density = 0.1;
  cfg.init.lattice.cells = {4, 4, 4};  // 256 atoms, box 13.7 sigma
  cfg.velocity.temperature = 10.0;
  cfg.neighbor.every = 5;
  cfg.neighbor.check = true;
  cfg.thermo.every = 0;
  Simulation sim(cfg, test::serial(), MPI_COMM_WORLD);
  sim.setup();
  const std::int64_t n = sim.system().natoms;
  EXPECT_EQ(n, 256);
  std::int64_t crossings = 0;
  for (int chunk = 0; chunk < 10; ++chunk) {
    sim.advance(100);
    const System& s = sim.system();
    std::vector<gid> ids = all_ids(s, MPI_COMM_WORLD);
    ASSERT_EQ(static_cast<std::int64_t>(ids.size()), n)
        << "after " << (chunk + 1) * 100 << " steps";
    std::sort(ids.begin(), ids.end());
    for (std::int64_t k = 0; k < n; ++k) ASSERT_EQ(ids[static_cast<std::size_t>(k)], k + 1);
    std::int64_t local = 0;
    for (index i = 0; i < s.nlocal; ++i) {
      const auto k = static_cast<std::size_t>(i);
      local += std::abs(s.imx[k]) + std::abs(s.imy[k]) + std::abs(s.imz[k]);
    }
    crossings = mpi::allreduce(local, MPI_SUM, MPI_COMM_WORLD);
  }
  EXPECT_GT(crossings, n) << "atoms should wrap around the box many times";
  const ThermoRow r = sim.thermo();
  EXPECT_EQ(r.atoms, n);
}

TEST(InputErrors, SubdomainThinnerThanCutoffPlusSkin) {
  Config cfg = test::in_lj();
  cfg.init.lattice.cells = {3, 3, 3};  // 5.04 sigma box
  std::string msg;
  try {
    validate(cfg, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    msg = e.what();
  }
  if (world_size() == 1) {
    EXPECT_EQ(msg, "");
  } else {
    EXPECT_NE(msg.find("subdomain along"), std::string::npos) << msg;
    EXPECT_NE(msg.find("cutoff + skin = 2.8"), std::string::npos) << msg;
  }
  // A deck grid whose product is not the rank count.
  Config grid;
  grid.decomposition.grid = {3, 1, 1};
  std::string grid_msg;
  try {
    validate(grid, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    grid_msg = e.what();
  }
  EXPECT_NE(grid_msg.find("decomposition.grid"), std::string::npos) << grid_msg;
}

}  // namespace
}  // namespace weft::md
