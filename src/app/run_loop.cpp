// SPDX-License-Identifier: Apache-2.0
#include "run_loop.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>

#include "outputs.hpp"
#include "run_support.hpp"
#include "signals.hpp"
#include "weft/core/error.hpp"
#include "weft/h5/error.hpp"
#include "weft/io/task_trace.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::app {
namespace {

constexpr int kRunFailed = static_cast<int>(ExitCode::run_failed);
constexpr int kStopped = static_cast<int>(ExitCode::stopped_early);

// Flags agreed on by every rank after every step (MPI_BOR).
enum Flag : int { kSignal = 1, kOutputError = 2, kCheckpointTime = 4 };

go::ExecutorConfig executor_config(const RuntimeConfig& r, int threads) {
  return {.scheduler = r.scheduler,
          .threads = threads,
          .stack_size = static_cast<std::size_t>(r.stack_kib) * 1024,
          .bind = r.bind == "cores",
          .trace = r.trace};
}

}  // namespace

int run_loop(const RunLoopInput& in, MPI_Comm comm) {
  const int rank = mpi::Comm(comm).rank();
  const CommonConfig& cfg = in.deck.common;
  const std::string& dir = in.out_dir;
  go::Executor exec(executor_config(cfg.runtime, in.threads));
  const Units units = in.kind.units();
  const RunContext ctx{.comm = comm,
                       .executor = &exec,
                       .common = &cfg,
                       .run = {in.deck.resolved, cfg.application, units.system, units.time},
                       .out_dir = dir,
                       .restart = in.restart};
  // The application and its state: nothing is written before this worked
  // (a checkpoint that cannot be read leaves the directory as it was).
  std::unique_ptr<Application> app = in.kind.create(in.deck, ctx);
  std::vector<io::SeriesRow> restored;
  std::string failure, bad_input;
  try {
    if (in.restart) {
      try {
        restored = in.restart->series();
      } catch (const h5::Error& e) {
        throw InputError(fmt::format("--restart {}: the checkpoint is damaged: {}",
                                     in.restart->path(), e.what()));
      }
    }
    app->setup();
  } catch (const InputError& e) {
    bad_input = e.what();
  } catch (const RunError& e) {
    failure = e.what();
  }
  if (in.restart) in.restart->close();
  if (!(bad_input = mpi::first_error(bad_input, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", in.deck_path.c_str(), bad_input.c_str());
    return static_cast<int>(ExitCode::bad_input);
  }
  if (!(failure = mpi::first_error(failure, comm)).empty()) {
    spdlog::error("the run failed at its start: {}", failure);
    return kRunFailed;
  }

  // Rank 0's small outputs (deck, observables table and series, checkpoints list).
  const std::vector<Series> series = app->series();
  RankZeroOutputs outs(dir, in.deck_path, ctx.run, series, app->columns(), rank == 0);
  std::string problem = outs.open(in.restart ? &restored : nullptr);
  // The directory is locked for the whole run (a new directory only now
  // exists to hold the lock).
  if (rank == 0 && problem.empty() && in.lock) problem = in.lock->take(dir);
  // log.txt: begun anew by a new run, continued by a restart.
  if (rank == 0 && problem.empty() && !in.restart) {
    std::ofstream truncate(dir + "/log.txt", std::ios::trunc);
    if (!truncate) problem = fmt::format("cannot write {}/log.txt", dir);
  }
  if (!(problem = mpi::broadcast_string(problem, comm)).empty()) {
    if (rank == 0) spdlog::error("{}", problem);
    return kRunFailed;
  }
  if (in.lock) in.lock->describe(comm, in.continue_command);
  log::add_run_log(dir + "/log.txt", mpi::Comm(comm).size(), in.banner + "\n");
  if (in.log.all_ranks) log::add_rank_file(fmt::format("{}/log.rank-{}.txt", dir, rank));
  spdlog::info("Resolved deck (also in {}/deck.toml):\n{}", dir, in.deck.resolved);
  const std::int64_t first_step = app->step();
  if (in.restart)
    spdlog::info("Continuing from {} at step {} ({} thermo rows restored)", in.restart->path(),
                 first_step, restored.size());
  spdlog::info("{}", outs.table().header());

  Progress progress(rank == 0 && in.log.verbosity >= 0, cfg.output.progress_seconds, units.time);
  auto observe = [&] {
    const io::SeriesRow row{app->step(), app->time(), app->observe()};
    if (rank != 0) return;
    progress.clear();
    spdlog::info("{}", outs.table().row(row));
    outs.observed(row);
  };
  bool stopped = false;
  std::int64_t stopped_at = 0;
  int signal_number = 0;  // the signal that stopped the run, agreed on
  std::string report, checkpoint_summary;
  std::vector<std::unique_ptr<Output>> outputs;
  try {
    // The whole loop runs through the executor once: with fibers it is the
    // pool's root task, and each step's kernels run inside it (a pool run per
    // step would pay an OS wake-up of the workers and of this thread).
    exec.run([&] {
      if (!in.restart) observe();  // step 0 (a restart has its row already)
      const std::int64_t last = cfg.run.steps, every = cfg.thermo.every;
      // A run killed after its final checkpoint: nothing to compute, but its
      // outputs are finished.
      if (in.restart && first_step == last)
        spdlog::info(
            "the checkpoint is at the final step {}: no step to run, finishing the outputs", last);
      outputs = app->open_outputs();
      double checkpoint_seconds = 0;
      int checkpoints = 0;
      auto checkpoint = [&] {
        const double t0 = mpi::wtime();
        const std::string path = fmt::format("{}/ckpt-{:010d}.h5", dir, app->step());
        io::CheckpointWriter w(path, comm, ctx.run, app->step());
        w.series(outs.rows(), series.size());
        app->checkpoint(w);
        w.commit();
        outs.checkpoint_written(path, cfg.checkpoint.keep);
        checkpoint_seconds += mpi::wtime() - t0;
        ++checkpoints;
        spdlog::debug("checkpoint {} written", path);
      };
      using clock = std::chrono::steady_clock;
      auto last_checkpoint = clock::now();
      const double ckpt_seconds = cfg.checkpoint.minutes * 60.0;
      // after() ends every step (and step 0, so that a signal during set-up
      // stops the run with a checkpoint): one small collective agrees on
      // signals, rank 0's output errors and its wall clock, so every rank acts
      // on the same step; then the checkpoints due. Returns true to stop.
      auto after = [&](std::int64_t step, bool stepped) {
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
        if (flags & kSignal) signal_number = mpi::allreduce(StopSignals::pending(), MPI_MAX, comm);
        const bool by_steps =
            stepped && cfg.checkpoint.every > 0 && step % cfg.checkpoint.every == 0;
        const bool at_end = stepped && step == last && cfg.checkpoint.at_end;
        if ((flags & (kSignal | kCheckpointTime)) || by_steps || at_end) {
          checkpoint();
          last_checkpoint = clock::now();
        }
        if (!(flags & kSignal)) return false;
        stopped = true;
        stopped_at = step;
        return true;
      };
      if (first_step < last) after(first_step, false);
      for (std::int64_t step = first_step; step < last && !stopped;) {
        ++step;
        // Observables at every `every` steps and at the last step.
        const bool observed = step == last || (every > 0 && step % every == 0);
        app->advance(observed);
        if (observed) observe();
        progress.update(step, last, app->time());
        for (auto& o : outputs) o->after_step(step);
        after(step, true);
      }
      for (auto& o : outputs) o->finish();
      report = app->report();
      if (cfg.runtime.trace && rank == 0) {
        io::write_task_trace(dir + "/trace.h5", exec.trace(), rank, in.threads, ctx.run);
        spdlog::info("Task trace of rank 0 in {}/trace.h5 (tools/plot-tasks)", dir);
      }
      checkpoint_summary =
          fmt::format("Checkpoints: {} written in {:.4f} s", checkpoints, checkpoint_seconds);
    });
  } catch (const RunError& e) {
    failure = e.what();
  } catch (const h5::Error& e) {
    failure = e.what();
  }
  progress.clear();
  // A failed write (a full disk): the reserved space is given back first,
  // so that closing the outputs (HDF5 writes their metadata) succeeds and
  // keeps every complete frame and row.
  if (!(failure = mpi::first_error(failure, comm)).empty()) {
    outs.release_reserve();
    outputs.clear();  // collective: closes the application's files
  }
  if (std::string e = outs.close(); !e.empty() && failure.empty()) failure = e;
  failure = mpi::first_error(failure, comm);
  if (!failure.empty()) {
    if (rank == 0) {
      spdlog::error("the run failed: {}", failure);
      const std::string ckpt = outs.newest_checkpoint();
      if (ckpt.empty())
        spdlog::error("outputs written so far are in {}/ (no checkpoint to continue from)", dir);
      else
        spdlog::error(
            "outputs written so far are in {}/; once the cause is fixed, continue with:\n  {} "
            "--restart {}",
            dir, in.continue_command, shell_quote(ckpt));
    }
    log::flush();
    return kRunFailed;
  }
  spdlog::info("{}", report);
  spdlog::info("{}", checkpoint_summary);
  if (stopped) {
    // Rank 0 has the checkpoint list: one message, from rank 0.
    if (rank == 0)
      spdlog::warn(
          "stopped by signal {} ({}) after step {}; checkpoint {} written. Continue with:\n  "
          "{} --restart {}",
          signal_number, signal_name(signal_number), stopped_at, outs.newest_checkpoint(),
          in.continue_command, shell_quote(outs.newest_checkpoint()));
    log::flush();
    return kStopped;
  }
  std::string files = "deck.toml, thermo.dat, thermo.h5";
  for (const auto& o : outputs) files += ", " + o->name();
  if (!outs.newest_checkpoint().empty()) files += ", " + outs.newest_checkpoint();
  spdlog::info("Outputs in {}/: {}", dir, files);
  log::flush();
  return 0;
}

}  // namespace weft::app
