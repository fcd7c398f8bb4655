// SPDX-License-Identifier: Apache-2.0
// weft-seam: `weft run|check|help` with a registry of two applications, MD
// and the test-only oscillators (tests/app/test_seam.py drives it).
#include <cstdio>
#include <string>
#include <vector>

#include "oscillators.hpp"
#include "weft/app/commands.hpp"
#include "weft/core/error.hpp"
#include "weft/md/application.hpp"

int main(int argc, char** argv) {
  const weft::app::Registry apps{{"md", &weft::md::application_kind()},
                                 {"oscillators", &weft::seam_test::oscillators_kind()}};
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 2 && args[0] == "help") return weft::app::cmd_help_deck(apps);
    if (args.size() >= 2 && args[0] == "check")
      return weft::app::cmd_check({args[1]}, {args.begin() + 2, args.end()}, apps);
    if (args.size() >= 2 && args[0] == "run") {
      weft::app::RunOptions o;
      o.deck = args[1];
      o.log.verbosity = -1;
      for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
        if (args[i] == "--set") o.sets.push_back(args[i + 1]);
        if (args[i] == "--restart") o.restart = args[i + 1];
      }
      return weft::app::cmd_run(o, apps);
    }
  } catch (const weft::InputError& e) {
    std::fprintf(stderr, "weft-seam: error: %s\n", e.what());
    return 2;
  }
  std::fprintf(
      stderr,
      "usage: weft-seam run DECK [--set K=V | --restart CKPT]... | check DECK | help deck\n");
  return 2;
}
