// SPDX-License-Identifier: Apache-2.0
#include <fmt/printf.h>

#include <string>

#include "weft/md/simulation.hpp"

namespace weft::md {

std::string format_thermo_header() {
  return fmt::sprintf("%10s %14s %14s %14s %14s %14s %14s", "Step", "Time", "Temp", "PotEng",
                      "KinEng", "TotEng", "Press");
}

std::string format_thermo_row(const ThermoRow& r) {
  return fmt::sprintf("%10lld %14.8g %14.8g %14.8g %14.8g %14.8g %14.8g",
                      static_cast<long long>(r.step), r.time, r.temp, r.pe, r.ke, r.etotal,
                      r.press);
}

std::string format_report(const RunReport& r) {
  std::string out;
  out += fmt::sprintf(
      "Loop time of %g on %d procs (%d MPI ranks x %d threads, grid %dx%dx%d) for %lld steps with "
      "%lld atoms\n",
      r.loop_time, r.ranks * r.threads, r.ranks, r.threads, r.grid[0], r.grid[1], r.grid[2],
      static_cast<long long>(r.steps), static_cast<long long>(r.atoms));
  out += "Kernels threaded by " + r.scheduler + "\n\n";
  out += fmt::sprintf("Performance: %.3f tau/day, %.3f timesteps/s, %.3f Matom-step/s\n\n",
                      r.tau_per_day, r.steps_per_s, r.atom_steps_per_s * 1e-6);
  out += "MPI task timing breakdown:\n";
  out += "Section |  min time  |  avg time  |  max time  | %total\n";
  out += "-----------------------------------------------------------\n";
  for (std::size_t k = 0; k < r.sections.size(); ++k) {
    const TimeStat& t = r.sections[k];
    const double pct = r.loop_time > 0 ? 100.0 * t.avg / r.loop_time : 0.0;
    out += fmt::sprintf("%-7s | %-10.5g | %-10.5g | %-10.5g | %6.2f\n", RunReport::section_names[k],
                        t.min, t.avg, t.max, pct);
  }
  out += fmt::sprintf("\nLoad imbalance (max/avg over ranks of pair + neigh time): %.3f\n\n",
                      r.load_imbalance);
  out += fmt::sprintf("Nlocal:    %12g ave %12g max %12g min\n", r.nlocal.avg, r.nlocal.max,
                      r.nlocal.min);
  out += fmt::sprintf("Nghost:    %12g ave %12g max %12g min\n", r.nghost.avg, r.nghost.max,
                      r.nghost.min);
  out += fmt::sprintf("Neighs:    %12g ave %12g max %12g min\n\n", r.neighbors.avg, r.neighbors.max,
                      r.neighbors.min);
  out += fmt::sprintf("Total # of neighbors = %lld\n", static_cast<long long>(r.total_neighbors));
  out += fmt::sprintf(
      "Ave neighs/atom = %.8g\n",
      r.atoms > 0 ? static_cast<double>(r.total_neighbors) / static_cast<double>(r.atoms) : 0.0);
  out += fmt::sprintf("Neighbor list builds = %lld\n", static_cast<long long>(r.neighbor_builds));
  if (r.dangerous_checked)
    out += fmt::sprintf("Dangerous builds = %lld\n", static_cast<long long>(r.dangerous_builds));
  else
    out += "Dangerous builds not checked\n";
  if (r.overlapped_steps > 0)
    out += fmt::sprintf(
        "Ghost overlap: %.1f%% of pairs in interior blocks, %.1f%% computed while ghosts were in "
        "flight, %.1f%% while ghost forces were (%lld steps)\n",
        100.0 * r.interior_share, 100.0 * r.early_share, 100.0 * r.late_share,
        static_cast<long long>(r.overlapped_steps));
  return out;
}

}  // namespace weft::md
