// SPDX-License-Identifier: Apache-2.0
// `weft run`: every check first (deck, inputs, layout, output directory),
// then the run. Nothing is created or overwritten before the checks pass.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "load.hpp"
#include "run_support.hpp"
#include "weft/core/error.hpp"
#include "weft/deck/document.hpp"
#include "weft/md/simulation.hpp"

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

// check_everything() runs every check on every rank and agrees on the
// outcome. Returns the exit code to stop with, or 0 to go on. Collective.
int check_everything(const RunOptions& o, MPI_Comm comm, int rank, Checked& c) {
  // The deck: rank 0 reads it, every rank parses the same bytes.
  deck::Diagnostics read_diag;
  std::string text;
  if (rank == 0) {
    if (auto t = deck::read_file(o.deck, read_diag)) text = *t;
  }
  const std::string read_problem = broadcast_string(read_diag.empty() ? "" : read_diag.format(), comm);
  if (!read_problem.empty()) {
    if (rank == 0) std::fputs(read_problem.c_str(), stderr);
    return code(ExitCode::bad_input);
  }
  text = broadcast_string(text, comm);
  deck::Diagnostics d;
  auto loaded = load_deck(o.deck, text, o.sets, d);
  if (!loaded) {
    if (rank == 0) std::fputs(d.format().c_str(), stderr);
    return code(ExitCode::bad_input);
  }
  c.deck = std::move(*loaded);
  const Config& cfg = c.deck.config;

  std::string problem;
  if (!o.restart.empty()) {
    problem = fmt::format("--restart {}: checkpoints are not available in weft {} yet (they come "
                          "with the HDF5 output layer, see docs/roadmap.md); run without --restart",
                          o.restart, versions().weft);
  }
  if (problem.empty()) {
    try {
      c.threads = choose_threads(cfg.runtime.threads, ranks_on_node(comm), node_cores(comm));
    } catch (const InputError& e) {
      problem = e.what();
    }
  }
  if (!(problem = first_error(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  try {
    md::validate(cfg.md, comm);
  } catch (const InputError& e) {
    problem = e.what();
  }
  if (!(problem = first_error(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  c.out_dir = cfg.output.dir.empty() ? "out/" + c.deck.name : cfg.output.dir;
  if (rank == 0 && !o.dry_run) problem = output_dir_problem(c.out_dir, cfg.output.overwrite);
  if (!(problem = broadcast_string(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "%s: error: %s\n", o.deck.c_str(), problem.c_str());
    return code(ExitCode::bad_input);
  }
  return 0;
}

}  // namespace

int cmd_run(const RunOptions& o) {
  int argc = 0;
  char** argv = nullptr;
  MpiSession mpi(&argc, &argv);
  const MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = mpi.rank();
  log::setup(rank, mpi.size(), o.log);

  Checked c;
  if (int rc = check_everything(o, comm, rank, c); rc != 0) return rc;
  const Config& cfg = c.deck.config;
  const std::string head = banner(cfg, c.threads, comm);
  spdlog::info("{}", head);
  if (o.dry_run) {
    spdlog::info("Resolved deck:\n{}\n", c.deck.resolved);
    spdlog::info("--dry-run: the deck and inputs are valid; outputs would go to {}/", c.out_dir);
    return 0;
  }

  // Outputs: the directory, the resolved deck, the thermo table.
  std::ofstream thermo;
  std::string problem;
  if (rank == 0) {
    try {
      fs::create_directories(c.out_dir);
      write_atomically(c.out_dir + "/deck.toml", c.deck.resolved);
      thermo.open(c.out_dir + "/thermo.dat", std::ios::trunc);
      if (!thermo) throw std::runtime_error("cannot open thermo.dat for writing");
      thermo << "# weft " << versions().weft << " thermo output of deck " << o.deck
             << "; the resolved deck:\n";
      std::istringstream deck_lines(c.deck.resolved);
      for (std::string line; std::getline(deck_lines, line);) thermo << "#   " << line << "\n";
    } catch (const std::exception& e) {
      problem = fmt::format("cannot write the outputs in {}: {}", c.out_dir, e.what());
    }
  }
  if (!(problem = broadcast_string(problem, comm)).empty()) {
    if (rank == 0) std::fprintf(stderr, "error: %s\n", problem.c_str());
    return code(ExitCode::run_failed);
  }
  if (o.log.all_ranks) log::add_rank_file(fmt::format("{}/log.rank-{}.txt", c.out_dir, rank));
  spdlog::info("Resolved deck (also in {}/deck.toml):\n{}", c.out_dir, c.deck.resolved);

  Progress progress(rank == 0 && o.log.verbosity >= 0, cfg.output.progress_seconds,
                    cfg.md.integrator.dt);
  bool header_done = false;
  md::RunHooks hooks;
  hooks.on_thermo = [&](const md::ThermoRow& row) {
    if (rank != 0) return;
    progress.clear();
    if (!header_done) {
      spdlog::info("{}", md::format_thermo_header());
      thermo << "# " << md::format_thermo_header() << "\n";
      header_done = true;
    }
    const std::string line = md::format_thermo_row(row);
    spdlog::info("{}", line);
    thermo << line << "\n";
    thermo.flush();
  };
  hooks.on_step = [&](std::int64_t step, std::int64_t last) { progress.update(step, last); };

  md::Execution exec;
  exec.threads = c.threads.threads;
  exec.scheduler = cfg.runtime.scheduler;
  std::string failure;
  md::RunReport report;
  try {
    report = md::run(cfg.md, exec, comm, hooks);
  } catch (const RunError& e) {
    failure = e.what();
  }
  progress.clear();
  thermo.flush();
  if (!failure.empty()) {
    spdlog::error("the run failed: {}", failure);
    spdlog::error("outputs written so far are in {}/", c.out_dir);
    log::flush();
    return code(ExitCode::run_failed);
  }
  spdlog::info("{}", md::format_report(report));
  spdlog::info("Outputs: {}/deck.toml (resolved deck), {}/thermo.dat (thermo table)", c.out_dir,
               c.out_dir);
  log::flush();
  return 0;
}

}  // namespace weft::app
