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
#include "driver.hpp"
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

  return drive(DriveInput{c.deck.config, c.deck.resolved, o.deck, c.out_dir, c.threads.threads,
                          o.log},
               comm);
}

}  // namespace weft::app
