// SPDX-License-Identifier: Apache-2.0
// The shared deck sections (run, thermo.every, runtime, output, checkpoint):
// the part every application's deck includes (app::KindOf).
#include "weft/app/config.hpp"

namespace weft::app {

namespace {

using C = CommonConfig;

// clang-format 14 mangles the accessor lambdas of deck keys ([](C & c) -> auto&).
// clang-format off
void declare_run(deck::Schema<C>& s) {
  s.key("application", [](C& c) -> auto& { return c.application; },
        "The application the deck is for (`weft help deck` lists them with their own keys)");
  s.key("run.steps", [](C& c) -> auto& { return c.run.steps; }, "Number of time steps to run")
      .min(0)
      .required();
  s.key("thermo.every", [](C& c) -> auto& { return c.thermo.every; },
        "Steps between rows of the observables table (thermo.dat, thermo.h5); 0: first and "
        "last step only")
      .min(0);
}

void declare_runtime(deck::Schema<C>& s) {
  s.key("runtime.scheduler", [](C& c) -> auto& { return c.runtime.scheduler; },
        "How kernels run inside a rank: OpenMP threads, or weft::go fiber tasks that also compute "
        "interior atoms while ghost positions travel between ranks (same results, bit for bit)");
  s.key("runtime.threads", [](C& c) -> auto& { return c.runtime.threads; },
        "Worker threads per rank; 0 takes WEFT_NUM_THREADS, SLURM_CPUS_PER_TASK, "
        "OMP_NUM_THREADS, else the node's cores divided by its ranks. At most 4 per core the "
        "rank may run on, wherever the number comes from")
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
  s.key("runtime.memory_check", [](C& c) -> auto& { return c.runtime.memory_check; },
        "Before set-up, estimate the memory each rank needs and refuse the run (exit 2) when it "
        "is more than the memory per rank (runtime.memory_gb, else the node's MemAvailable or "
        "cgroup limit, the smaller, divided by its ranks); false: run anyway");
  s.key("runtime.memory_gb", [](C& c) -> auto& { return c.runtime.memory_gb; },
        "Memory per rank the check compares the estimate with; 0: what the node has available "
        "divided by the ranks on it")
      .unit("GB")
      .min(0);
  s.rule([](const C& c, deck::RuleContext& r) {
    if (c.runtime.scheduler == go::Scheduler::openmp && r.given("runtime.stack_kib"))
      r.error("runtime.stack_kib",
              "fiber stacks do not exist with runtime.scheduler = \"openmp\"; remove "
              "runtime.stack_kib or use the fibers scheduler");
    if (c.runtime.scheduler == go::Scheduler::openmp && c.runtime.bind == "cores")
      r.error("runtime.bind",
              "runtime.bind = \"cores\" pins weft::go workers; it needs runtime.scheduler = "
              "\"fibers\" (for OpenMP use OMP_PROC_BIND and OMP_PLACES)");
    if (c.runtime.scheduler == go::Scheduler::openmp && c.runtime.trace)
      r.error("runtime.trace",
              "the task trace records weft::go fibers; it needs runtime.scheduler = \"fibers\"");
  });
}

void declare_output(deck::Schema<C>& s) {
  s.key("output.dir", [](C& c) -> auto& { return c.output.dir; },
        "Directory for every output of the run; empty: out/<deck file name without .toml>, or "
        "with --restart the directory of the checkpoint");
  s.key("output.overwrite", [](C& c) -> auto& { return c.output.overwrite; },
        "Allow a run to replace the results of an earlier run in output.dir");
  s.key("output.progress_seconds", [](C& c) -> auto& { return c.output.progress_seconds; },
        "Seconds between progress lines in batch jobs (on a terminal the line updates live)")
      .unit("s")
      .min(1);
  s.key("output.compression", [](C& c) -> auto& { return c.output.compression; },
        "gzip level of per-particle outputs (trajectory frames, snapshots; 0: none; compression "
        "costs write time)")
      .min(0)
      .max(9);
  s.key("output.checksums", [](C& c) -> auto& { return c.output.checksums; },
        "Fletcher32 checksums on per-particle outputs (verified on read). Off by default: "
        "they make a frame write several times slower (docs/performance.md), and frames "
        "with checksums or compression are not covered by the crash guarantee of "
        "docs/io.md. Checkpoints always have checksums");
  s.key("output.transfer", [](C& c) -> auto& { return c.output.transfer; },
        "How ranks write their rows of per-particle outputs over MPI-IO: independent (each "
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

// clang-format on

}  // namespace

const deck::Schema<CommonConfig>& common_schema() {
  static const deck::Schema<CommonConfig> instance = [] {
    deck::Schema<CommonConfig> s;
    declare_run(s);
    declare_runtime(s);
    declare_output(s);
    return s;
  }();
  return instance;
}

}  // namespace weft::app
