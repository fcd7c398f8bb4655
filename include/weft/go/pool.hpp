// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "weft/go/trace.hpp"

namespace weft::go {

namespace detail {
class PoolImpl;
}

// PoolOptions configures a Pool.
// MpiProgress says who makes the MPI calls of mpi_call() and await():
// `agent`: the pool's MPI thread (run()'s caller) makes every call and tests
// outstanding requests (MPI_THREAD_FUNNELED is enough); it costs a thread
// that must get a core promptly. `polling`: the calling task makes them
// itself, one worker at a time under a lock, and await() tests its requests
// between yields (needs MPI_THREAD_SERIALIZED; no extra thread competes with
// the workers, so it suits one worker per core). See mpi_await.hpp.
enum class MpiProgress { agent, polling };

struct PoolOptions {
  // threads is the number of worker threads that run tasks (>= 1). The
  // thread that calls run() does not run tasks: it is the pool's MPI thread
  // (see mpi_await.hpp) and otherwise sleeps.
  int threads = 2;
  // bind_cpus pins worker i to CPU (cpu_offset + i) modulo the CPUs this
  // process may use.
  bool bind_cpus = false;
  int cpu_offset = 0;
  // stack_size is the default task stack ("goroutine stack size"), rounded
  // up to whole pages, at least 16 KiB. Debug builds add a guard page.
  std::size_t stack_size = 64 * 1024;
  // root_stack_size is the stack of run()'s root task ("main"), which
  // usually runs a program's main loop with its library calls (MPI, HDF5):
  // 8 MiB, like a thread's. Pages are committed only when touched.
  std::size_t root_stack_size = 8 * 1024 * 1024;
  // trace records one TaskRecord per finished task (off: one branch per task).
  bool trace = false;
  MpiProgress mpi_progress = MpiProgress::agent;
  // How the MPI thread tests outstanding requests (agent): mpi_spin_polls tests back
  // to back first (lowest latency, but the MPI thread then competes with a
  // worker for a core), then one test every mpi_poll_interval. Use 0 spins
  // when every core already runs a worker.
  int mpi_spin_polls = 200;
  std::chrono::microseconds mpi_poll_interval{50};
  // idle_spin is how long a worker that ran out of tasks keeps looking for
  // work (a short busy wait, then sched_yield() between looks) before it
  // sleeps, while its core is its own; a sleeping worker costs an OS wake-up
  // (~20-50 us on a VM) when work comes, so the spin should outlast the
  // serial stretches between a program's parallel loops (an MD step's
  // integration and bookkeeping take a few hundred us).
  // idle_spin_loaded replaces it while the worker is being preempted (the
  // core is shared with other processes: its thread had involuntary context
  // switches in the last few ms, or a look came more than 200 us after the
  // previous one). Spinning then only spends the worker's share of the core
  // that the work will need, and a sleeping worker is woken ahead of a
  // CPU-bound neighbour. WEFT_GO_IDLE_SPIN_US, when set, overrides both (for
  // measurements).
  std::chrono::microseconds idle_spin{1000};
  std::chrono::microseconds idle_spin_loaded{100};
  // mail_patience is how long a worker runs dry before it takes a task
  // posted for another worker (TaskOptions::worker): more than an OS
  // wake-up of that worker (~20-50 us on a VM), so a posted task waits for
  // its worker unless that worker is busy or off its core for longer.
  std::chrono::microseconds mail_patience{100};
};

// DeadlockError is thrown by Pool::run() when every task was blocked with
// nothing (timer, MPI request) left that could wake one. what() lists the
// blocked tasks and what each waits on; the same text went to stderr.
class DeadlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Pool is a set of worker threads running stackful tasks (fibers) with work
// stealing. Idle workers sleep on a condition variable. Pools hold no static
// state: any number may exist, one after another or at once.
//
//   weft::go::Pool pool({.threads = 2});
//   pool.run([&] {
//     weft::go::Chan<int> ch(16);
//     weft::go::go([&] { for (int i = 0; i < 3; ++i) ch.send(i); ch.close(); });
//     for (int v : ch) use(v);
//   });
class Pool {
 public:
  explicit Pool(PoolOptions options = {});
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // run() executes root as the task named "main" and returns once root and
  // every task spawned (transitively) from it have finished. Meanwhile the
  // calling thread serves MPI (mpi_await.hpp). An exception escaping root is
  // rethrown here after all other tasks finished; a deadlock throws
  // DeadlockError. run() must not be called from a task or concurrently.
  void run(std::function<void()> root);

  // threads() returns the number of worker threads.
  int threads() const noexcept;

  // trace() returns the records of finished tasks (empty unless
  // PoolOptions::trace), sorted by start time. clear_trace() drops them.
  std::vector<TaskRecord> trace() const;
  void clear_trace();

 private:
  std::unique_ptr<detail::PoolImpl> impl_;
};

}  // namespace weft::go
