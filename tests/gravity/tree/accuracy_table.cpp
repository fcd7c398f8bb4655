// SPDX-License-Identifier: Apache-2.0
// gravity-tree-table: the accuracy and speed table of docs/gravity-tree.md.
//   gravity-tree-table [N=100000] [samples=10000] [threads=1]
// Plummer sphere (G = M = a = 1, cut at 100 a, seed 20261202), spline
// softening eps = 0.01. Accuracy: relative force error against direct
// summation at `samples` targets (relative criterion with |a_direct| as
// a_old). Speed: every particle a target, wall time of build + walk.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "support.hpp"

using namespace weft::gravity;
using test::percentile;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 100000;
  const std::int64_t m = argc > 2 ? std::atoll(argv[2]) : 10000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const Softening soft{SofteningKind::spline, 0.01};
  const test::Sources s = test::plummer_sphere(n, 20261202);
  const auto which = test::sample(n, m, 7);
  std::vector<Vec3> acc_d;
  std::vector<double> pot_d;
  auto t0 = std::chrono::steady_clock::now();
  omp_set_num_threads(threads);
  test::direct(s, which, soft, 1.0, acc_d, pot_d);
  std::printf("N = %lld, %lld sampled targets, direct summation %.1f s\n\n",
              static_cast<long long>(n), static_cast<long long>(m), seconds_since(t0));

  struct Row {
    const char* name;
    TreeConfig c;
  };
  std::vector<Row> rows;
  for (bool quad : {false, true}) {
    for (double th : {0.3, 0.5, 0.7, 1.0})
      rows.push_back({"theta", {.theta = th, .quadrupole = quad}});
    for (double tol : {0.005, 0.004, 0.0025, 0.001}) {
      rows.push_back(
          {"relative", {.opening = Opening::relative, .tolerance = tol, .quadrupole = quad}});
    }
  }
  std::printf(
      "| criterion | moments | p50 | p90 | p99 | p99.9 | pot p99 | interactions/target |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    Tree tree(r.c);
    tree.build(s.pos, s.mass, threads);
    const bool rel = r.c.opening == Opening::relative;
    const test::Errors e = test::tree_errors(tree, s, which, acc_d, pot_d, soft, 1.0, rel, threads);
    std::printf("| %s %g | %s | %.1e | %.1e | %.1e | %.1e | %.1e | %.0f |\n", r.name,
                rel ? r.c.tolerance : r.c.theta, r.c.quadrupole ? "quadrupole" : "monopole",
                percentile(e.force, 50), percentile(e.force, 90), percentile(e.force, 99),
                percentile(e.force, 99.9), percentile(e.potential, 99),
                e.stats.interactions_per_target());
  }

  // Speed: all N targets, a_old from a Barnes–Hut theta = 0.5 quadrupole pass.
  std::vector<std::int64_t> self(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) self[static_cast<std::size_t>(i)] = i;
  std::vector<Vec3> acc(s.pos.size());
  std::vector<double> pot(s.pos.size()), old(s.pos.size());
  {
    Tree tree({.theta = 0.5});
    tree.build(s.pos, s.mass, threads);
    tree.accelerations(s.pos, self, {}, soft, 1.0, acc, pot, threads);
    for (std::size_t i = 0; i < old.size(); ++i) old[i] = acc[i].norm();
  }
  std::printf(
      "\n| all %lld targets, %d thread(s) | build s | walk s (wall) | walk s (cpu) | "
      "interactions/particle | interactions/s/core |\n",
      static_cast<long long>(n), threads);
  std::printf("|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    const bool rel = r.c.opening == Opening::relative;
    if (!rel && r.c.theta != 0.5 && !(r.c.theta == 0.7 && r.c.quadrupole)) continue;
    if (rel && r.c.tolerance != 0.005 && !r.c.quadrupole) continue;
    Tree tree(r.c);
    t0 = std::chrono::steady_clock::now();
    tree.build(s.pos, s.mass, threads);
    const double tb = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const WalkStats st = tree.accelerations(
        s.pos, self, rel ? std::span<const double>(old) : std::span<const double>(), soft, 1.0, acc,
        pot, threads);
    const double tw = seconds_since(t0), cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("| %s %g %s | %.3f | %.3f | %.3f | %.0f | %.2g |\n", r.name,
                rel ? r.c.tolerance : r.c.theta, r.c.quadrupole ? "quadrupole" : "monopole", tb, tw,
                cpu, st.interactions_per_target(),
                st.interactions_per_target() * double(n) / (tw * threads));
  }
  return 0;
}
