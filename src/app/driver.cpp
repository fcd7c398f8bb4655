// SPDX-License-Identifier: Apache-2.0
#include "driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "outputs.hpp"
#include "run_support.hpp"
#include "signals.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/error.hpp"
#include "weft/io/checkpoint.hpp"
#include "weft/io/task_trace.hpp"
#include "weft/io/trajectory.hpp"
#include "weft/md/simulation.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::app {
namespace {

constexpr int kRunFailed = static_cast<int>(ExitCode::run_failed);
constexpr int kStopped = static_cast<int>(ExitCode::stopped_early);

// Flags agreed on by every rank after every step (MPI_BOR).
enum Flag : int { kSignal = 1, kOutputError = 2, kCheckpointTime = 4 };

}  // namespace

int drive(const DriveInput& in, MPI_Comm comm) {
  const int rank = mpi::Comm(comm).rank();
  const Config& cfg = in.config;
  const std::string& dir = in.out_dir;
  StopSignals signals;

  // Rank 0's small outputs (deck, thermo table and series, checkpoints list).
  RankZeroOutputs outs(dir, in.deck_path, in.resolved_deck, rank == 0);
  std::string problem = outs.open(in.restart ? &in.restart->thermo : nullptr);
  if (!(problem = mpi::broadcast_string(problem, comm)).empty()) {
    if (rank == 0) spdlog::error("{}", problem);
    return kRunFailed;
  }
  if (in.log.all_ranks) log::add_rank_file(fmt::format("{}/log.rank-{}.txt", dir, rank));
  spdlog::info("Resolved deck (also in {}/deck.toml):\n{}", dir, in.resolved_deck);
  if (in.restart)
    spdlog::info("Continuing from {} at step {} ({} thermo rows restored)", in.restart_path,
                 in.restart->snapshot.step, in.restart->thermo.size());
  spdlog::info("{}", md::format_thermo_header());

  Progress progress(rank == 0 && in.log.verbosity >= 0, cfg.output.progress_seconds,
                    cfg.md.integrator.dt);
  const std::int64_t first_step = in.restart ? in.restart->snapshot.step : 0;
  md::RunHooks hooks;
  hooks.on_thermo = [&](const md::ThermoRow& row) {
    if (rank != 0) return;
    if (in.restart && row.step <= first_step) return;  // restored from the checkpoint
    progress.clear();
    spdlog::info("{}", md::format_thermo_row(row));
    outs.thermo(row);
  };
  hooks.on_step = [&](std::int64_t step, std::int64_t last) { progress.update(step, last); };

  go::Executor exec({.scheduler = go::parse_scheduler(cfg.runtime.scheduler),
                     .threads = in.threads,
                     .stack_size = static_cast<std::size_t>(cfg.runtime.stack_kib) * 1024,
                     .bind = cfg.runtime.bind == "cores",
                     .trace = cfg.runtime.trace});
  std::string failure;
  bool stopped = false;
  std::int64_t stopped_at = 0;
  md::RunReport report;
  std::unique_ptr<io::TrajectoryWriter> traj;
  std::string checkpoint_summary;
  try {
    md::Simulation sim = in.restart ? md::Simulation(cfg.md, exec, comm, in.restart->snapshot)
                                    : md::Simulation(cfg.md, exec, comm);
    sim.setup(hooks);
    const std::int64_t every = cfg.output.trajectory_every, last = cfg.md.run.steps;
    // A run killed after its final checkpoint: nothing to compute, but its
    // outputs are finished (trajectory renamed, thermo series written).
    if (in.restart && first_step == last)
      spdlog::info("the checkpoint is at the final step {}: no step to run, finishing the outputs", last);
    // Frames at the multiples of `every` in (first_step, last]; a new file
    // also gets one at first_step when it is a multiple.
    const std::int64_t to_come = every > 0 ? last / every - first_step / every : 0;
    io::TrajectoryOptions topt{.velocities = cfg.output.velocities,
                               .forces = cfg.output.forces,
                               .deflate = cfg.output.compression,
                               .fletcher32 = cfg.output.checksums,
                               .frames = to_come,
                               .transfer = cfg.output.transfer == "collective" ? h5::Transfer::collective
                                                                               : h5::Transfer::independent};
    const std::string traj_path = dir + "/trajectory.h5md";
    if (every > 0 && in.restart) {
      std::string damaged;
      try {
        traj = io::TrajectoryWriter::resume(traj_path, comm, first_step, sim.system(), topt);
      } catch (const h5::Error& e) {
        damaged = e.what();
      }
      // A trajectory cut by a crash in the middle of a frame may not open:
      // keep it aside (h5py may still read its earlier frames) and start a
      // new one rather than lose the run.
      if (!(damaged = mpi::first_error(damaged, comm)).empty()) {
        const std::string aside = fmt::format("{}.damaged-at-{}", traj_path, first_step);
        if (rank == 0) {
          std::error_code ec;
          std::filesystem::rename(traj_path + ".part", aside, ec);
        }
        spdlog::warn("cannot continue {} ({}); kept as {}, frames from step {} go to a new file",
                     traj_path, damaged, aside, first_step);
      }
    }
    if (every > 0 && !traj) {
      topt.frames = to_come + (first_step % every == 0 ? 1 : 0);
      traj = std::make_unique<io::TrajectoryWriter>(traj_path, comm, in.resolved_deck, sim.system(), topt);
      if (first_step % every == 0) traj->write_frame(sim.system(), sim.thermo());
    }
    double checkpoint_seconds = 0;
    int checkpoints = 0;
    auto checkpoint = [&] {
      const double t0 = mpi::wtime();
      const md::Snapshot snap = sim.snapshot();
      const std::string path = fmt::format("{}/ckpt-{:010d}.h5", dir, snap.step);
      io::write_checkpoint(path, comm, snap, in.resolved_deck, outs.rows());
      outs.checkpoint_written(path, cfg.checkpoint.keep);
      checkpoint_seconds += mpi::wtime() - t0;
      ++checkpoints;
      spdlog::debug("checkpoint {} written", path);
    };
    using clock = std::chrono::steady_clock;
    auto last_checkpoint = clock::now();
    const double ckpt_seconds = cfg.checkpoint.minutes * 60.0;
    for (std::int64_t step = first_step; step < last;) {
      sim.advance(1, hooks);
      ++step;
      if (traj && step % every == 0) traj->write_frame(sim.system(), sim.thermo());
      // One small collective per step: signals, rank 0's output errors and
      // its wall clock are agreed on, so every rank acts on the same step.
      int flags = 0;
      if (StopSignals::pending()) flags |= kSignal;
      if (rank == 0) {
        if (!outs.error().empty()) flags |= kOutputError;
        if (ckpt_seconds > 0 &&
            std::chrono::duration<double>(clock::now() - last_checkpoint).count() >= ckpt_seconds)
          flags |= kCheckpointTime;
      }
      flags = mpi::allreduce(flags, MPI_BOR, comm);
      if (flags & kOutputError) throw RunError(mpi::broadcast_string(outs.error(), comm));
      const bool by_steps = cfg.checkpoint.every > 0 && step % cfg.checkpoint.every == 0;
      if ((flags & (kSignal | kCheckpointTime)) || by_steps || (step == last && cfg.checkpoint.at_end)) {
        checkpoint();
        last_checkpoint = clock::now();
      }
      if (flags & kSignal) {
        stopped = true;
        stopped_at = step;
        break;
      }
    }
    if (traj) traj->finish();
    report = sim.report();
    if (cfg.runtime.trace && rank == 0) {
      io::write_task_trace(dir + "/trace.h5", sim.task_trace(), rank, in.threads, in.resolved_deck);
      spdlog::info("Task trace of rank 0 in {}/trace.h5 (tools/plot-tasks)", dir);
    }
    checkpoint_summary = fmt::format("Checkpoints: {} written in {:.4f} s", checkpoints, checkpoint_seconds);
  } catch (const RunError& e) {
    failure = e.what();
  } catch (const h5::Error& e) {
    failure = e.what();
  }
  progress.clear();
  if (std::string e = outs.close(); !e.empty() && failure.empty()) failure = e;
  failure = mpi::first_error(failure, comm);
  if (!failure.empty()) {
    spdlog::error("the run failed: {}", failure);
    spdlog::error("outputs written so far are in {}/", dir);
    log::flush();
    return kRunFailed;
  }
  spdlog::info("{}", md::format_report(report));
  spdlog::info("{}", checkpoint_summary);
  if (stopped) {
    spdlog::warn("stopped by signal {} after step {}; checkpoint {} written. Continue with: weft run "
                 "{} --restart {}",
                 StopSignals::pending(), stopped_at, outs.newest_checkpoint(), in.deck_path,
                 outs.newest_checkpoint());
    log::flush();
    return kStopped;
  }
  spdlog::info("Outputs in {}/: deck.toml, thermo.dat, thermo.h5{}{}", dir,
               traj ? ", trajectory.h5md" : "",
               outs.newest_checkpoint().empty() ? "" : ", " + outs.newest_checkpoint());
  log::flush();
  return 0;
}

}  // namespace weft::app
