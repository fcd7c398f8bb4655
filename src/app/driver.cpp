// SPDX-License-Identifier: Apache-2.0
#include "driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "run_support.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/error.hpp"
#include "weft/io/thermo_series.hpp"
#include "weft/io/trajectory.hpp"
#include "weft/md/simulation.hpp"

namespace weft::app {
namespace fs = std::filesystem;
namespace {

constexpr int kRunFailed = static_cast<int>(ExitCode::run_failed);

// TextThermo is thermo.dat: the resolved deck as comments, then the table.
class TextThermo {
 public:
  TextThermo(const std::string& path, const std::string& deck_path, const std::string& deck) {
    out_.open(path, std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot open " + path + " for writing");
    out_ << "# weft " << versions().weft << " thermo output of deck " << deck_path
         << "; the resolved deck:\n";
    std::istringstream lines(deck);
    for (std::string line; std::getline(lines, line);) out_ << "#   " << line << "\n";
    out_ << "# " << md::format_thermo_header() << "\n";
    out_.flush();
  }
  void add(const md::ThermoRow& row) {
    out_ << md::format_thermo_row(row) << "\n";
    out_.flush();
  }

 private:
  std::ofstream out_;
};

}  // namespace

int drive(const DriveInput& in, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const Config& cfg = in.config;
  const std::string& dir = in.out_dir;

  // Rank 0 creates the directory and the small text outputs.
  std::unique_ptr<TextThermo> text;
  std::unique_ptr<io::ThermoSeries> series;
  std::string problem;
  if (rank == 0) {
    try {
      fs::create_directories(dir);
      write_atomically(dir + "/deck.toml", in.resolved_deck);
      text = std::make_unique<TextThermo>(dir + "/thermo.dat", in.deck_path, in.resolved_deck);
      series = std::make_unique<io::ThermoSeries>(dir + "/thermo.h5", in.resolved_deck);
    } catch (const std::exception& e) {
      problem = fmt::format("cannot write the outputs in {}: {}", dir, e.what());
    }
  }
  if (!(problem = broadcast_string(problem, comm)).empty()) {
    if (rank == 0) spdlog::error("{}", problem);
    return kRunFailed;
  }
  if (in.log.all_ranks) log::add_rank_file(fmt::format("{}/log.rank-{}.txt", dir, rank));
  spdlog::info("Resolved deck (also in {}/deck.toml):\n{}", dir, in.resolved_deck);
  spdlog::info("{}", md::format_thermo_header());

  Progress progress(rank == 0 && in.log.verbosity >= 0, cfg.output.progress_seconds,
                    cfg.md.integrator.dt);
  // Rank 0's own outputs may fail inside a hook; the failure is kept and
  // agreed on by every rank at the next sync point, so no rank is left
  // waiting in a collective call.
  std::string output_error;
  md::RunHooks hooks;
  hooks.on_thermo = [&](const md::ThermoRow& row) {
    if (rank != 0) return;
    progress.clear();
    spdlog::info("{}", md::format_thermo_row(row));
    if (!output_error.empty()) return;
    try {
      text->add(row);
      series->add(row);
    } catch (const std::exception& e) {
      output_error = fmt::format("writing thermo output in {}: {}", dir, e.what());
    }
  };
  auto sync = [&] {
    if (const std::string e = first_error(output_error, comm); !e.empty()) throw RunError(e);
  };
  hooks.on_step = [&](std::int64_t step, std::int64_t last) { progress.update(step, last); };

  md::Execution exec;
  exec.threads = in.threads;
  exec.scheduler = cfg.runtime.scheduler;
  std::string failure;
  md::RunReport report;
  std::unique_ptr<io::TrajectoryWriter> traj;
  try {
    md::Simulation sim(cfg.md, exec, comm);
    sim.setup(hooks);
    sync();
    const std::int64_t every = cfg.output.trajectory_every, last = cfg.md.run.steps;
    const std::int64_t thermo_every = cfg.md.thermo.every > 0 ? cfg.md.thermo.every : last;
    if (every > 0) {
      io::TrajectoryOptions topt{.velocities = cfg.output.velocities,
                                 .forces = cfg.output.forces,
                                 .deflate = cfg.output.compression,
                                 .fletcher32 = true};
      traj = std::make_unique<io::TrajectoryWriter>(dir + "/trajectory.h5md", comm, in.resolved_deck,
                                                    sim.system(), topt);
      traj->write_frame(sim.system(), sim.thermo());
    }
    std::int64_t step = 0;
    while (step < last) {
      std::int64_t next = std::min(last, (step / thermo_every + 1) * thermo_every);
      if (every > 0) next = std::min(next, (step / every + 1) * every);
      sim.advance(next - step, hooks);
      step = next;
      sync();
      if (traj && step % every == 0) traj->write_frame(sim.system(), sim.thermo());
    }
    if (traj) traj->finish();
    report = sim.report();
  } catch (const RunError& e) {
    failure = e.what();
  } catch (const h5::Error& e) {
    failure = e.what();
  }
  progress.clear();
  if (rank == 0) {
    try {
      series->flush();
    } catch (const std::exception& e) {
      if (failure.empty()) failure = fmt::format("writing {}/thermo.h5: {}", dir, e.what());
    }
  }
  failure = first_error(failure, comm);
  if (!failure.empty()) {
    spdlog::error("the run failed: {}", failure);
    spdlog::error("outputs written so far are in {}/", dir);
    log::flush();
    return kRunFailed;
  }
  spdlog::info("{}", md::format_report(report));
  spdlog::info("Outputs in {}/: deck.toml (resolved deck), thermo.dat and thermo.h5 (thermo){}", dir,
               traj ? ", trajectory.h5md (H5MD frames)" : "");
  log::flush();
  return 0;
}

}  // namespace weft::app
