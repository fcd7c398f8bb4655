// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private: pieces of `weft run` that are not the run itself: the node's
// ranks and cores, the output directory, the start banner and the progress
// line. (The MPI session and agreement across ranks are weft::mpi's.)

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "weft/app/config.hpp"
#include "weft/app/kind.hpp"
#include "weft/core/environment.hpp"

namespace weft::app {

// ranks_on_node() counts the ranks sharing this rank's node. Collective.
int ranks_on_node(MPI_Comm comm);

// node_cores() is the number of CPUs usable by all ranks of this node
// together (union of their affinity masks). Collective.
int node_cores(MPI_Comm comm);

// memory_problem() returns "" when the application's memory estimate for
// this rank (kind.memory_per_rank()) fits the memory the rank may use
// (runtime.memory_gb, else the node's available memory divided by its
// ranks), else the message refusing the run with both numbers and how to
// go on. Also the estimate's own InputError (counts beyond what the
// application can hold), ignored for a `restart`. Collective.
std::string memory_problem(const ApplicationKind& kind, const LoadedDeck& deck, int threads,
                           bool restart, MPI_Comm comm);

// output_dir_problem() returns "" when `dir` can take this run's outputs,
// else a message saying why not and how to fix it: `dir` holds an earlier
// run's results (and `overwrite` is false), an output would replace one of
// the run's `inputs` (never allowed), or `dir` cannot be written. Output
// names are the shared ones and the application's `app_outputs`. Creates
// nothing except a probe file it removes. Called on rank 0.
std::string output_dir_problem(const std::string& dir, bool overwrite,
                               const std::vector<std::string>& inputs,
                               const std::vector<std::string>& app_outputs);

// shell_quote() is `s` as one word of a POSIX shell command ('...' when it
// holds anything but letters, digits and -_./=:,+@%).
std::string shell_quote(const std::string& s);

// launcher_command() is how this process was launched with its ranks, as
// the words before weft's own: the MPI launcher's command line when it is
// this rank's parent (mpirun/mpiexec/orterun), else "srun -n N" inside a
// Slurm step, else "mpirun -np N" for several ranks, else "". `program` is
// this process's argv[0]. Not collective.
std::string launcher_command(int ranks, const std::string& program);

// write_atomically() writes `text` to `path` via a temporary file + rename.
void write_atomically(const std::string& path, const std::string& text);

// banner() is the start banner: versions, ranks (with the application's
// `layout` note), threads, binding. Collective (gathers each rank's host and
// CPU set); the text is valid on rank 0.
std::string banner(const CommonConfig& c, const std::string& layout, const ThreadChoice& threads,
                   MPI_Comm comm);

// watched_terminal() is true when a person watches this process's output:
// stdout is a terminal and so is its parent's (mpirun's, when launched by it).
bool watched_terminal();

// Progress keeps rank 0's progress display: a live line on a terminal,
// plain lines every `every_s` seconds otherwise.
class Progress {
 public:
  // Progress() shows simulated time in `time_unit`.
  Progress(bool enabled, double every_s, std::string time_unit);
  // update() is called after every step with the step's simulated time.
  void update(std::int64_t step, std::int64_t last, double time);
  // clear() erases the live line (before other output is printed).
  void clear();

 private:
  using clock = std::chrono::steady_clock;
  bool enabled_, tty_;
  double every_s_;
  std::string time_unit_;
  clock::time_point start_, last_print_;
  std::int64_t first_step_ = -1;
  bool line_shown_ = false;
};

}  // namespace weft::app
