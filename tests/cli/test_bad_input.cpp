// SPDX-License-Identifier: Apache-2.0
// Bad decks and command lines: each gives a clear message (what, where,
// how to fix), exit code 2, and creates or overwrites nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <vector>

#include "cli_support.hpp"

namespace weft::test {
namespace {
namespace fs = std::filesystem;

// A small valid deck; cases edit it.
const std::string kGood = R"([[species]]
name = "Ar"
mass = 1.0

[lattice]
style = "fcc"
density = 0.8442
cells = [4, 4, 4]

[pair]
cutoff = 2.5

[run]
steps = 10
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

struct Case {
  std::string name;
  std::function<void(const Scratch&)> setup;  // writes deck.toml (and whatever else)
  std::string command;                        // run in the scratch dir
  std::vector<std::string> expect;            // substrings of the output
  int code = 2;
};

void deck(const Scratch& s, const std::string& text) { s.write("deck.toml", text); }
std::function<void(const Scratch&)> with(std::string text) {
  return [text](const Scratch& s) { deck(s, text); };
}

std::vector<Case> cases() {
  return {
      {"TypoInKey",
       with(replace(kGood, "steps = 10", "stpes = 10")),
       "weft run deck.toml",
       {"deck.toml:14:", "run.stpes: unknown key; did you mean 'run.steps'?"}},
      {"TypoInSection",
       with(replace(kGood, "[pair]", "[pairr]")),
       "weft run deck.toml",
       {"deck.toml:10:1: error: pairr: unknown section [pairr]; did you mean [pair]?"}},
      {"WrongType",
       with(replace(kGood, "steps = 10", "steps = \"10\"")),
       "weft run deck.toml",
       {"deck.toml:14:9: error: run.steps: expected an integer, found a string"}},
      {"OutOfRange",
       with(kGood + "[integrator]\ndt = -0.005\n"),
       "weft run deck.toml",
       {"deck.toml:16:6: error: integrator.dt: expected a value with 0 < x", "(unit: tau)"}},
      {"BadChoice",
       with(replace(kGood, "\"fcc\"", "\"fcx\"")),
       "weft run deck.toml",
       {"deck.toml:6:9: error: lattice.style: expected one of: sc, bcc, fcc",
        "did you mean \"fcc\"?"}},
      {"MissingRequiredKey",
       with(replace(kGood, "[run]\nsteps = 10\n", "")),
       "weft run deck.toml",
       {"deck.toml: error: run.steps: missing required key", "add `steps = ...` under [run]"}},
      {"DuplicateKey",
       with(replace(kGood, "steps = 10", "steps = 10\nsteps = 20")),
       "weft run deck.toml",
       {"deck.toml:15:", "invalid TOML", "only once"}},
      {"DuplicateSection",
       with(kGood + "[pair]\ncutoff = 3.0\n"),
       "weft run deck.toml",
       {"deck.toml:15:", "invalid TOML"}},
      {"InvalidSyntax",
       with(replace(kGood, "cutoff = 2.5", "cutoff = = 2.5")),
       "weft run deck.toml",
       {"deck.toml:11:", "invalid TOML"}},
      {"EmptyFile", with(""), "weft run deck.toml", {"deck.toml: error: the deck is empty"}},
      {"BinaryGarbage",
       [](const Scratch& s) {
         s.write("deck.toml", std::string("\x7f"
                                          "ELF\x02\x01\x01\0\0\0",
                                          10));
       },
       "weft run deck.toml",
       {"deck.toml: error: is not a text file"}},
      {"InvalidUtf8",
       with("[run]\nsteps = 1\n# \xff\xfe\n"),
       "weft run deck.toml",
       {"deck.toml:3:", "invalid TOML"}},
      {"DirectoryInsteadOfFile",
       [](const Scratch& s) { fs::create_directory(s.path() / "deck.toml"); },
       "weft run deck.toml",
       {"deck.toml: error: is a directory"}},
      {"FileDoesNotExist",
       [](const Scratch&) {},
       "weft run nothere.toml",
       {"nothere.toml: error: cannot read the deck: no such file"}},
      {"UnreadableFile",
       [](const Scratch& s) {
         deck(s, kGood);
         fs::permissions(s.path() / "deck.toml", fs::perms::none);
       },
       // root reads anything: drop to `nobody` to see a real permission error
       ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups weft check deck.toml"
                        : "weft check deck.toml",
       {"deck.toml: error: cannot read the deck: Permission denied"}},
      {"SetWithoutValue",
       with(kGood),
       "weft run deck.toml --set run.steps",
       {"--set run.steps: error: expected --set key.path=value"}},
      {"SetUnknownKey",
       with(kGood),
       "weft run deck.toml --set pair.cutof=3",
       {"--set pair.cutof=3: error: pair.cutof: unknown key; did you mean 'pair.cutoff'?"}},
      {"SetWrongType",
       with(kGood),
       "weft run deck.toml --set run.steps=lots",
       {"--set run.steps=lots: error: run.steps: expected an integer, found a string"}},
      {"ContradictionDataWithoutFile",
       with(kGood + "[init]\nsource = \"data\"\n"),
       "weft check deck.toml",
       {"init.data_file: init.source = \"data\" needs init.data_file",
        "deck.toml:8:9: error: lattice.cells: lattice.cells has no effect when init.source = "
        "\"data\""}},
      {"ContradictionThermostatOnNve",
       with(kGood + "[integrator]\nstyle = \"nve\"\ntemperature = 2.0\n"),
       "weft run deck.toml",
       {"deck.toml:17:15: error: integrator.temperature",
        "applies to integrator.style = \"langevin\" or \"nose-hoover\" or \"nvt\" only"}},
      {"ContradictionDensityAndConstant",
       with(replace(kGood, "density = 0.8442", "density = 0.9\nconstant = 1.7")),
       "weft run deck.toml",
       {"lattice.constant: give lattice.density or lattice.constant, not both"}},
      {"PairTypeDoesNotExist",
       with(kGood + "[[pair.coeff]]\ntypes = [1, 3]\n"),
       "weft run deck.toml",
       {"pair.coeff[1].types: atom type 3 does not exist: 1 [[species]] defined"}},
      {"ManyErrorsInOneGo",
       with(replace(replace(replace(kGood, "steps = 10", "stpes = 10"), "\"fcc\"", "\"fcx\""),
                    "mass = 1.0", "mass = -1.0")),
       "weft run deck.toml",
       {"4 errors in the deck", "species[1].mass", "lattice.style", "run.stpes", "run.steps"}},
      {"UnknownOption",
       with(kGood),
       "weft run deck.toml --bogus",
       {"weft: error:", "--bogus", "weft --help"}},
      {"MissingDeckArgument", with(kGood), "weft run", {"weft: error:", "deck is required"}},
      {"UnknownCommand", with(kGood), "weft frobnicate", {"weft: error:"}},
      {"BadThreadsVariable",
       with(kGood),
       "WEFT_NUM_THREADS=many weft run deck.toml",
       {"WEFT_NUM_THREADS='many' is not a positive integer"}},
      {"RestartFileMissing",
       with(kGood),
       "weft run deck.toml --restart old.h5",
       {"--restart old.h5: no such file or directory"}},
      {"RestartDirWithoutCheckpoint",
       [](const Scratch& s) {
         deck(s, kGood);
         fs::create_directories(s.path() / "killed");
         s.write("killed/thermo.dat", "# a run killed before its first checkpoint\n");
       },
       "weft run deck.toml --restart killed",
       {"--restart killed: the directory holds no checkpoint (ckpt-*.h5): nothing to restart "
        "from"}},
      {"RestartFromGarbage",
       [](const Scratch& s) {
         deck(s, kGood);
         s.write("ckpt.h5", "not a checkpoint at all");
       },
       "weft run deck.toml --restart ckpt.h5",
       {"--restart ckpt.h5: cannot read it as a weft checkpoint"}},
      {"OutputDirIsAFile",
       [](const Scratch& s) {
         deck(s, kGood + "[output]\ndir = \"taken\"\n");
         s.write("taken", "precious");
       },
       "weft run deck.toml",
       {"output.dir 'taken' exists and is not a directory"}},
      {"TraceNeedsFibers",
       with(kGood),
       "weft run deck.toml --set runtime.scheduler=openmp --set runtime.trace=true",
       {"--set runtime.trace=true: error: runtime.trace: the task trace records weft::go fibers"}},
      {"ErrorPrintedOnceUnderMpi",
       with(replace(kGood, "steps = 10", "stpes = 10")),
       "mpirun -np 2 weft run deck.toml",
       {"did you mean 'run.steps'?"}},
  };
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, ClearMessageExitTwoNothingWritten) {
  const Case& c = GetParam();
  Scratch s;
  c.setup(s);
  const auto r = run_in(s.path(), c.command);
  EXPECT_EQ(r.code, c.code) << r.output;
  for (const auto& e : c.expect)
    EXPECT_NE(r.output.find(e), std::string::npos) << "want: " << e << "\ngot:\n" << r.output;
  // Printed once, not once per rank or twice through two loggers.
  EXPECT_EQ(count(r.output, c.expect.front()), 1) << r.output;
  EXPECT_FALSE(fs::exists(s.path() / "out")) << "a rejected run created out/";
  // No MPI abort noise, no internal errors.
  EXPECT_EQ(r.output.find("MPI_ABORT"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  if (c.name == "ErrorPrintedOnceUnderMpi") {
    EXPECT_EQ(count(r.output, "did you mean"), 1) << r.output;
  }
  if (c.name == "OutputDirIsAFile") {
    std::ifstream in(s.path() / "taken");
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "precious");
  }
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInput, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(BadInputRun, EarlierResultsAreNotOverwritten) {
  Scratch s;
  deck(s, kGood + "[output]\ndir = \"results\"\n");
  fs::create_directory(s.path() / "results");
  s.write("results/thermo.dat", "earlier run\n");
  const auto r = run_in(s.path(), "weft run deck.toml");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("holds the results of an earlier run"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--set output.overwrite=true"), std::string::npos) << r.output;
  std::ifstream in(s.path() / "results/thermo.dat");
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "earlier run");
}

}  // namespace
}  // namespace weft::test
