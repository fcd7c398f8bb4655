// SPDX-License-Identifier: Apache-2.0
// `weft run`: every check first (deck, inputs, layout, output directory),
// then the run. Nothing is created or overwritten before the checks pass.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "outputs.hpp"
#include "restart.hpp"
#include "run_loop.hpp"
#include "run_support.hpp"
#include "signals.hpp"
#include "weft/app/commands.hpp"
#include "weft/app/deck.hpp"
#include "weft/core/error.hpp"
#include "weft/deck/document.hpp"
#include "weft/h5/error.hpp"
#include "weft/io/checkpoint.hpp"
#include "weft/mpi/collectives.hpp"
#include "weft/mpi/session.hpp"

namespace weft::app {
namespace fs = std::filesystem;
namespace {

constexpr int code(ExitCode c) { return static_cast<int>(c); }

// Checked is what the checks produce for the run.
struct Checked {
  LoadedDeck deck;
  ThreadChoice threads;
  std::string out_dir;
};

// restart_problem() checks a checkpoint against the deck: "" when the run
// can continue from it, else what is wrong and how to fix it. Rank 0.
std::string restart_problem(const std::string& path, const LoadedDeck& deck,
                            const ApplicationKind& kind) {
  io::CheckpointInfo info;
  try {
    info = io::CheckpointReader::info(path);
  } catch (const InputError& e) {
    return e.what();
  }
  if (info.application != deck.common.application)
    return fmt::format(
        "--restart {}: the checkpoint comes from a run of application \"{}\", the "
        "deck is for \"{}\"; restart with the deck that wrote it (tools/weft-inspect "
        "--deck {})",
        path, info.application, deck.common.application, path);
  // The system must be the same (every key of the application's restart
  // sections); run length, outputs, checkpoints, runtime and the like may
  // change between segments.
  const auto differ = system_differences(info.deck, deck.resolved, kind.restart_sections());
  if (!differ.empty()) {
    std::string list;
    for (const auto& d : differ) list += "\n  " + d;
    return fmt::format(
        "--restart {}: the deck describes another system than the run that wrote the "
        "checkpoint:{}\nrestart with the deck that wrote it (its /parameters/deck: "
        "tools/weft-inspect --deck {}), or change only what may change between segments",
        path, list, path);
  }
  // At exactly run.steps the run only finishes its outputs (a run killed
  // after its final checkpoint); beyond, the deck asks for less than done.
  if (info.step > deck.common.run.steps)
    return fmt::format(
        "--restart {}: the checkpoint is at step {} and run.steps = {}: nothing left "
        "to run; raise run.steps (e.g. --set run.steps={}) to continue the run",
        path, info.step, deck.common.run.steps, info.step * 2);
  return "";
}

// resolve_restart() turns `--restart PATH` into the checkpoint to continue
// from: PATH itself, or for a directory its newest checkpoint
// (checkpoints_in()). Returns "" or what is wrong: PATH does not exist, or
// the directory holds no checkpoint (its run ended before the first one:
// nothing to restart from). Rank 0.
std::string resolve_restart(std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return fmt::format(
        "--restart {}: no such file or directory; give a checkpoint (ckpt-*.h5) or the output "
        "directory of the run to continue",
        path);
  if (!fs::is_directory(path, ec)) return "";
  const std::vector<std::string> all = checkpoints_in(path);
  if (all.empty())
    return fmt::format(
        "--restart {}: the directory holds no checkpoint (ckpt-*.h5): nothing to restart from "
        "(its run ended before its first checkpoint); run again from the start, with "
        "--set output.overwrite=true to replace its outputs",
        path);
  path = all.back();
  return "";
}

// check_everything() runs every check on every rank and agrees on the
// outcome. Returns the exit code to stop with, or 0 to go on. Collective.
int check_everything(const RunOptions& o, const Registry& apps, MPI_Comm comm, int rank,
                     Checked& c) {
  // The deck: rank 0 reads it, every rank parses the same bytes.
  deck::Diagnostics read_diag;
  std::string text;
  if (rank == 0) {
    if (auto t = deck::read_file(o.deck, read_diag)) text = *t;
  }
  const std::string read_problem =
      mpi::broadcast_string(read_diag.empty() ? "" : read_diag.format(), comm);
  if (!read_problem.empty()) {
    if (rank == 0) std::fputs(read_problem.c_str(), stderr);
    return code(ExitCode::bad_input);
  }
  text = mpi::broadcast_string(text, comm);
  deck::Diagnostics d;
  auto loaded = load_deck(o.deck, text, o.sets, apps, d);
  if (!loaded) {
    if (rank == 0) std::fputs(d.format().c_str(), stderr);
    return code(ExitCode::bad_input);
  }
  c.deck = std::move(*loaded);
  const CommonConfig& cfg = c.deck.common;
  const ApplicationKind& kind = kind_of(c.deck, apps);

  std::string problem;
  if (!o.restart.empty() && rank == 0) problem = restart_problem(o.restart, c.deck, kind);
  problem = mpi::first_error(problem, comm);
  if (problem.empty()) {
    try {
      c.threads = choose_threads(cfg.runtime.threads, ranks_on_node(comm), node_cores(comm));
      check_thread_cap(c.threads, cores_available());
    } catch (const InputError& e) {
      problem = e.what();
    }
  }
  // Before anything big exists (the input files are read by validate()).
  if ((problem = mpi::first_error(problem, comm)).empty())
    problem = memory_problem(kind, c.deck, c.threads.threads, !o.restart.empty(), comm);
  if (!(problem = mpi::first_error(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  try {
    if (o.restart.empty())
      kind.validate(c.deck, comm);  // a restart takes its state from the checkpoint
  } catch (const InputError& e) {
    problem = e.what();
  }
  if (!(problem = mpi::first_error(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  // Outputs go to output.dir; by default to out/<deck name>, or, when
  // continuing a run, to the directory of the checkpoint it continues.
  c.out_dir = cfg.output.dir;
  if (c.out_dir.empty() && !o.restart.empty()) {
    c.out_dir = fs::path(o.restart).parent_path().string();
    if (c.out_dir.empty()) c.out_dir = ".";
  }
  if (c.out_dir.empty()) c.out_dir = "out/" + c.deck.name;
  // A continued run writes on into the directory of the run it continues.
  const bool keep_results = cfg.output.overwrite || !o.restart.empty();
  // --dry-run checks the directory as the run would (it creates nothing).
  if (rank == 0) {
    std::vector<std::string> inputs = kind.inputs(c.deck);
    inputs.push_back(o.deck);
    if (!o.restart.empty()) inputs.push_back(o.restart);
    std::vector<std::string> outputs = kind.output_names();
    problem = output_dir_problem(c.out_dir, keep_results, inputs, outputs);
  }
  if (!(problem = mpi::broadcast_string(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  return 0;
}

}  // namespace

int cmd_run(const RunOptions& options, const Registry& apps) {
  StopSignals signals;  // before anything else: a signal at any moment is seen
  OrphanWatch orphan;   // the launcher dies: stop with a checkpoint
  mpi::Session session;
  const MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = session.rank();
  log::setup(rank, session.size(), options.log);
  RunOptions o = options;  // with --restart DIR resolved to its newest checkpoint
  if (!o.restart.empty()) {
    std::string problem;
    if (rank == 0) problem = resolve_restart(o.restart);
    o.restart = mpi::broadcast_string(o.restart, comm);
    if (!(problem = mpi::first_error(problem, comm)).empty()) {
      if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
      return code(ExitCode::bad_input);
    }
  }

  Checked c;
  if (int rc = check_everything(o, apps, comm, rank, c); rc != 0) return rc;
  const ApplicationKind& kind = kind_of(c.deck, apps);
  // A directory that exists may be in use by live ranks (a run whose
  // mpirun was killed, say): refused before anything is written.
  OutputLock lock;
  std::string busy;
  if (rank == 0 && std::filesystem::is_directory(c.out_dir)) busy = lock.take(c.out_dir);
  if (!(busy = mpi::first_error(busy, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), busy.c_str());
    return code(ExitCode::bad_input);
  }
  const std::string head = banner(c.deck.common, kind.layout(c.deck), c.threads, comm);
  spdlog::info("{}", head);
  if (o.dry_run) {
    spdlog::info("Resolved deck:\n{}\n", c.deck.resolved);
    spdlog::info("--dry-run: the deck and inputs are valid; outputs would go to {}/", c.out_dir);
    return 0;
  }
  std::string again = launcher_command(session.size(), o.program) + shell_quote(o.program) +
                      " run " + shell_quote(o.deck);
  for (const auto& s : o.sets) again += " --set " + shell_quote(s);
  RunLoopInput in{kind,  c.deck,  o.deck, c.out_dir, c.threads.threads,
                  o.log, nullptr, again,  head,      &lock};
  std::unique_ptr<io::CheckpointReader> restart;
  if (!o.restart.empty()) {
    std::string problem;
    try {
      restart = std::make_unique<io::CheckpointReader>(o.restart, comm);
    } catch (const h5::Error& e) {
      problem = fmt::format("--restart {}: the checkpoint is damaged: {}", o.restart, e.what());
    }
    if (!(problem = mpi::first_error(problem, comm)).empty()) {
      if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
      return code(ExitCode::bad_input);
    }
    in.restart = restart.get();
  }
  return run_loop(in, comm);
}

}  // namespace weft::app
