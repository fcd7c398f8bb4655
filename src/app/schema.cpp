// SPDX-License-Identifier: Apache-2.0
// The deck schema: every key weft accepts, declared once. The parser,
// `weft check`, `--set`, `weft help deck` and docs/deck.md all come from here.
#include "schema_parts.hpp"
#include "weft/deck/document.hpp"
#include "weft/md/deck.hpp"

namespace weft::app {

const deck::Schema<Config>& schema() {
  static const deck::Schema<Config> instance = [] {
    deck::Schema<Config> s;
    s.include(md::schema(), [](Config& c) -> auto& { return c.md; });
    declare_runtime(s);
    declare_output(s);
    return s;
  }();
  return instance;
}

std::string deck_reference() {
  return deck::render_reference(
      schema().docs(), "weft deck reference",
      "Generated from the schema in src/app/schema*.cpp by `weft help deck`; do not edit by "
      "hand (tools/check fails when this file differs from the generated text).\n\n"
      "A deck is a TOML file. Every key below may be given in the deck or on the command line "
      "with `--set key.path=value`; keys not given take the default shown. Units are LAMMPS "
      "`units lj` (reduced): lengths in sigma, energies in epsilon, time in tau, temperature in "
      "epsilon/k_B. `weft check DECK` prints a deck with every default filled in.");
}

void declare_runtime(deck::Schema<Config>& s) {
  using C = Config;
  s.key("runtime.scheduler", [](C& c) -> auto& { return c.runtime.scheduler; },
        "How kernels run inside a rank: OpenMP threads, or weft::go fiber tasks that also compute "
        "interior atoms while ghost positions travel between ranks (same results, bit for bit)")
      .choices({"openmp", "fibers"});
  s.key("runtime.threads", [](C& c) -> auto& { return c.runtime.threads; },
        "Worker threads per rank; 0 takes WEFT_NUM_THREADS, SLURM_CPUS_PER_TASK, "
        "OMP_NUM_THREADS, else the node's cores divided by its ranks")
      .min(0)
      .max(1024);
  s.key("runtime.stack_kib", [](C& c) -> auto& { return c.runtime.stack_kib; },
        "Stack size of each fiber task (the goroutine stack size)")
      .unit("KiB")
      .min(16)
      .max(65536);
  s.key("runtime.bind", [](C& c) -> auto& { return c.runtime.bind; },
        "Pin fiber workers: none, or cores (one worker per core of the rank's CPU set; "
        "scheduler fibers)")
      .choices({"none", "cores"});
  s.key("runtime.trace", [](C& c) -> auto& { return c.runtime.trace; },
        "Record a per-task timeline (name, worker, start, end) for tools/plot-tasks");
  s.rule([](const C& c, deck::RuleContext& r) {
    if (c.runtime.scheduler == "openmp" && r.given("runtime.stack_kib"))
      r.error("runtime.stack_kib",
              "fiber stacks do not exist with runtime.scheduler = \"openmp\"; remove "
              "runtime.stack_kib or use the fibers scheduler");
    if (c.runtime.scheduler == "openmp" && c.runtime.bind == "cores")
      r.error("runtime.bind",
              "runtime.bind = \"cores\" pins weft::go workers; it needs runtime.scheduler = "
              "\"fibers\" (for OpenMP use OMP_PROC_BIND and OMP_PLACES)");
    if (c.runtime.scheduler == "openmp" && c.runtime.trace)
      r.error("runtime.trace",
              "the task trace records weft::go fibers; it needs runtime.scheduler = \"fibers\"");
  });
}

void declare_output(deck::Schema<Config>& s) {
  using C = Config;
  s.key("output.dir", [](C& c) -> auto& { return c.output.dir; },
        "Directory for every output of the run; empty: out/<deck file name without .toml>, or "
        "with --restart the directory of the checkpoint");
  s.key("output.overwrite", [](C& c) -> auto& { return c.output.overwrite; },
        "Allow a run to replace the results of an earlier run in output.dir");
  s.key("output.progress_seconds", [](C& c) -> auto& { return c.output.progress_seconds; },
        "Seconds between progress lines in batch jobs (on a terminal the line updates live)")
      .unit("s")
      .min(1);
  s.key("output.trajectory_every", [](C& c) -> auto& { return c.output.trajectory_every; },
        "Steps between frames of the H5MD trajectory (trajectory.h5md); 0: no trajectory")
      .min(0);
  s.key("output.velocities", [](C& c) -> auto& { return c.output.velocities; },
        "Store velocities in trajectory frames");
  s.key("output.forces", [](C& c) -> auto& { return c.output.forces; },
        "Store forces in trajectory frames");
  s.key("output.compression", [](C& c) -> auto& { return c.output.compression; },
        "gzip level of trajectory frames (0: none; compression costs write time)")
      .min(0)
      .max(9);
  s.key("output.checksums", [](C& c) -> auto& { return c.output.checksums; },
        "Fletcher32 checksums on trajectory frames (verified on read). Off by default: "
        "they make a frame write several times slower (docs/performance.md), and frames "
        "with checksums or compression are not covered by the crash guarantee of "
        "docs/io.md. Checkpoints always have checksums");
  s.key("output.transfer", [](C& c) -> auto& { return c.output.transfer; },
        "How ranks write their rows of a trajectory frame over MPI-IO: independent (each "
        "rank writes its own contiguous block; faster on one node, docs/performance.md) or "
        "collective (MPI-IO gathers the blocks on aggregator ranks; worth trying on a "
        "parallel file system with many ranks). Frames with checksums or compression are "
        "always written collectively")
      .choices({"independent", "collective"});
  s.key("checkpoint.every", [](C& c) -> auto& { return c.checkpoint.every; },
        "Steps between checkpoints (ckpt-<step>.h5); 0: none by step count")
      .min(0);
  s.key("checkpoint.minutes", [](C& c) -> auto& { return c.checkpoint.minutes; },
        "Wall-clock minutes between checkpoints; 0: none by time")
      .unit("min")
      .min(0);
  s.key("checkpoint.keep", [](C& c) -> auto& { return c.checkpoint.keep; },
        "How many of the newest checkpoints to keep")
      .min(1);
  s.key("checkpoint.at_end", [](C& c) -> auto& { return c.checkpoint.at_end; },
        "Write a checkpoint when the run completes (to extend it later)");
}

}  // namespace weft::app
