// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "weft/go/pool.hpp"
#include "weft/go/trace.hpp"

namespace weft::go {

// Scheduler says what runs the tasks of a rank: weft::go fibers on a
// work-stealing pool, or OpenMP threads. The deck key runtime.scheduler
// ("fibers" | "openmp") maps to it through parse_scheduler().
enum class Scheduler { fibers, openmp };

// parse_scheduler() maps "fibers" / "openmp" to a Scheduler; anything else
// throws weft::InputError naming the accepted values.
Scheduler parse_scheduler(std::string_view name);
// to_string() is the inverse of parse_scheduler().
std::string_view to_string(Scheduler s) noexcept;

// ExecutorConfig is how one rank runs its work (the deck's [runtime]
// section, resolved: threads is already chosen).
struct ExecutorConfig {
  Scheduler scheduler = Scheduler::openmp;
  int threads = 1;                     // workers (fibers) or OpenMP threads, >= 1
  std::size_t stack_size = 64 * 1024;  // fiber task stack, bytes
  bool bind = false;                   // pin fiber workers to cores
  bool trace = false;                  // record a per-task timeline (fibers)
  // With fibers, tasks make their own MPI calls one at a time (polling)
  // rather than through an MPI agent thread that competes with the workers
  // for cores: see mpi_await.hpp.
  MpiProgress mpi_progress = MpiProgress::polling;
};

// Executor runs an application's work on one rank as its ExecutorConfig
// says. run(f) calls f: with Scheduler::fibers as the root task of the
// executor's pool (so the block loops of blocks.hpp inside f run as fiber
// tasks, and MPI waits park tasks, not workers); with Scheduler::openmp on
// the calling thread (the block loops then use OpenMP teams). Results of the
// block loops are the same under both.
//
//   weft::go::Executor exec({.scheduler = weft::go::Scheduler::fibers, .threads = 2});
//   exec.run([&] { step(); });  // step() may call parallel_blocks(exec.threads(), ...)
class Executor {
 public:
  // Executor() checks the configuration (threads >= 1; weft::InputError
  // otherwise) and starts the pool's workers (fibers). Not collective.
  explicit Executor(const ExecutorConfig& config = {});
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // run() calls f as described above and returns when f (and every task it
  // spawned) has finished; an exception from f is rethrown. Called from
  // inside a task (a run loop that runs as one task and calls a step that
  // runs through the executor again), it calls f right there.
  void run(const std::function<void()>& f);

  const ExecutorConfig& config() const noexcept { return config_; }
  Scheduler scheduler() const noexcept { return config_.scheduler; }
  int threads() const noexcept { return config_.threads; }
  // describe() is "openmp" or "fibers (weft::go)" for reports.
  std::string_view describe() const noexcept;
  // trace() is the task timeline recorded so far (fibers with trace on;
  // empty otherwise).
  std::vector<TaskRecord> trace() const;

 private:
  ExecutorConfig config_;
  std::unique_ptr<Pool> pool_;  // fibers only
};

}  // namespace weft::go
