// SPDX-License-Identifier: Apache-2.0
// The `weft` command line (CLI11). Exit codes: see weft::ExitCode and README.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "applications.hpp"
#include "weft/app/commands.hpp"
#include "weft/core/environment.hpp"
#include "weft/core/error.hpp"

namespace {

constexpr const char* kExamples = R"(
Examples:
  weft run inputs/lj-melt.toml                       run a deck on one rank
  mpirun -np 4 weft run inputs/lj-melt.toml          run on 4 MPI ranks
  weft run inputs/lj-melt.toml --set run.steps=1000  override a deck key
  weft run inputs/lj-melt.toml --dry-run             check everything, run nothing
  weft check inputs/lj-melt.toml                     validate; print the resolved deck
  weft check inputs/*.toml                           validate several decks
  weft help deck                                     every deck key, with defaults and units
  weft info                                          versions, SIMD width, threads

Exit codes: 0 success, 2 bad input (deck, command line, input file), 3 the run
failed (numerical blow-up, I/O error), 75 stopped early by a signal with a
checkpoint written (resubmit to continue).
)";

int run_cli(int argc, char** argv) {
  using weft::app::RunOptions;
  CLI::App app{"weft: particle simulation on MPI ranks x goroutine-style tasks"};
  app.set_version_flag("--version", std::string("weft ") + weft::versions().weft);
  app.footer(kExamples);
  app.require_subcommand(1);

  RunOptions run;
  run.program = argv[0];
  int verbose = 0;
  bool quiet = false;
  auto* run_cmd = app.add_subcommand("run", "Run a deck");
  run_cmd->add_option("deck", run.deck, "Input deck (TOML)")->required();
  run_cmd->add_option("--set", run.sets, "Override a deck key: --set key.path=value (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  run_cmd->add_option("--restart", run.restart,
                      "Continue from a checkpoint file, or from the newest checkpoint of a run's "
                      "output directory");
  run_cmd->add_flag("--dry-run", run.dry_run,
                    "Validate deck and inputs, print the resolved deck and layout; run nothing");
  run_cmd->add_flag("-v", verbose, "More output (-v debug, -vv trace)");
  run_cmd->add_flag("-q,--quiet", quiet, "Warnings and errors only");
  run_cmd->add_flag("--log-all-ranks", run.log.all_ranks,
                    "Write one log file per rank in the output directory");

  std::vector<std::string> check_decks;
  std::vector<std::string> check_sets;
  auto* check_cmd =
      app.add_subcommand("check",
                         "Validate decks; one deck is printed resolved (all defaults), several get "
                         "one line each");
  check_cmd->add_option("decks", check_decks, "Input decks (TOML)")->required();
  check_cmd->add_option("--set", check_sets, "Override a deck key: --set key.path=value")
      ->allow_extra_args(false);

  auto* info_cmd = app.add_subcommand("info", "Print versions, SIMD width and thread choice");
  auto* help_cmd = app.add_subcommand("help", "Reference documentation: `weft help deck`");
  std::string topic;
  help_cmd->add_option("topic", topic, "Topic")->required()->check(CLI::IsMember({"deck"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    if (weft::app::launch_rank() == 0) {
      std::fprintf(stderr, "weft: error: %s\nRun `weft --help` for usage.\n", e.what());
    }
    return static_cast<int>(weft::ExitCode::bad_input);
  }
  run.log.verbosity = quiet ? -1 : verbose;
  const weft::app::Registry& apps = weft::cli::applications();
  if (*run_cmd) return weft::app::cmd_run(run, apps);
  if (*check_cmd) return weft::app::cmd_check(check_decks, check_sets, apps);
  if (*info_cmd) return weft::app::cmd_info();
  if (*help_cmd) return weft::app::cmd_help_deck(apps);
  return static_cast<int>(weft::ExitCode::bad_input);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const weft::InputError& e) {
    std::fprintf(stderr, "weft: error: %s\n", e.what());
    return static_cast<int>(weft::ExitCode::bad_input);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft: internal error: %s\nPlease report this with the deck you ran.\n",
                 e.what());
    return static_cast<int>(weft::ExitCode::internal);
  }
}
