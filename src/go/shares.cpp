// SPDX-License-Identifier: Apache-2.0
// The fork-join of the block loops (blocks.hpp): one share per worker.
#include <atomic>
#include <exception>
#include <string>
#include <vector>

#include "scheduler.hpp"
#include "weft/go/blocks.hpp"
#include "weft/go/wait_group.hpp"

namespace weft::go::detail {

namespace {

// Round is one fork-join, shared by the caller and the share tasks it
// posted. Whoever claims share w first runs it: its task on worker w, or the
// caller once it is done with its own share and finds w not started (its
// worker busy or off its core). A task whose share was taken finds it
// claimed and ends; the Round lives until the last of them let go, so such a
// task may run long after the caller returned.
struct Round {
  explicit Round(int workers) : claimed(static_cast<std::size_t>(workers)) {}
  std::atomic<int> refs{1};
  std::vector<std::atomic<bool>> claimed;
  ShareFn fn = nullptr;
  void* arg = nullptr;
  std::atomic<int> left{0};  // shares not finished (what join_spin() watches)
  WaitGroup wg;              // the same count, to park on
  Spinlock mu;
  std::exception_ptr error;  // the first share's exception

  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  // run() runs share w here if nobody has claimed it yet. A share the
  // caller runs itself (`inline_label` set) is not a task of its own, so it
  // goes into the pool's trace here under the name its task would have had:
  // the timeline shows every share, whoever ran it.
  void run(int w, const char* inline_label = nullptr) noexcept {
    if (claimed[static_cast<std::size_t>(w)].exchange(true, std::memory_order_acq_rel)) {
      // The share's own task found it taken: it did nothing worth a bar.
      if (!inline_label)
        if (Worker* me = current_worker(); me && me->current) me->current->untraced = true;
      return;
    }
    Worker* at = inline_label ? current_worker() : nullptr;
    const bool traced = at && at->pool->opt.trace;
    const std::int64_t t0 = traced ? at->pool->now_ns() : 0;
    try {
      fn(arg, w);
    } catch (...) {
      std::lock_guard lk(mu);
      if (!error) error = std::current_exception();
    }
    if (traced) {
      Worker* end = current_worker();  // the same thread unless the share parked
      end->trace.push_back(TaskRecord{std::string(inline_label) + "[" + std::to_string(w) + "]", 0,
                                      at->index, end->index, t0, end->pool->now_ns()});
    }
    left.fetch_sub(1, std::memory_order_release);
    wg.done();
  }
};

// quiet() is true while nothing but the caller could run on its worker:
// no task queued, posted or standing in runnext here, no injected task and no
// MPI request a polling worker should be progressing.
bool quiet(const PoolImpl& pool, const Worker& w) noexcept {
  return w.queue.approx_size() == 0 && w.mail_size.load(std::memory_order_relaxed) == 0 &&
         w.runnext.load(std::memory_order_relaxed) == nullptr &&
         pool.inj_size.load(std::memory_order_relaxed) == 0 &&
         pool.mpi_pending.load(std::memory_order_relaxed) == 0;
}

// join_spin() waits for the round's shares by spinning, as the worker would
// spin idle anyway once the caller parked (PoolImpl::spin_budget), but without
// the switch, the hand-off and the possible move of the caller to another
// worker. It stops as soon as other work shows up on the worker.
void join_spin(const std::atomic<int>& left) noexcept {
  Worker* w = current_worker();
  if (!w) return;
  PoolImpl& pool = *w->pool;
  const auto end = Clock::now() + pool.spin_budget(w);
  for (int i = 0; left.load(std::memory_order_acquire) != 0; ++i) {
    if (!quiet(pool, *w)) return;
    if (i % 64 == 63 && Clock::now() >= end) return;
    for (int k = 0; k < 16; ++k) cpu_relax();
  }
}

}  // namespace

void run_shares(int workers, const char* name, ShareFn fn, void* arg) {
  Worker* me = current_worker();
  // The caller runs the share of the worker it is on (as OpenMP's master
  // thread runs thread 0's share); the others are posted to their workers.
  const int mine = me && me->index < workers ? me->index : -1;
  auto* round = new Round(workers);
  round->fn = fn;
  round->arg = arg;
  round->left.store(workers, std::memory_order_relaxed);
  round->wg.add(workers);
  for (int w = 0; w < workers; ++w) {
    if (w == mine) continue;
    const std::string label = std::string(name) + "[" + std::to_string(w) + "]";
    TaskOptions o;
    o.name = label;  // copied by go()
    o.worker = w;
    round->refs.fetch_add(1, std::memory_order_relaxed);
    go(o, [round, w] {
      round->run(w);
      round->release();
    });
  }
  if (mine >= 0) round->run(mine, name);
  // Shares not started by now wait for a worker that is busy or descheduled:
  // the caller runs them (help-first join), so a fork-join never waits for a
  // worker to come back.
  for (int w = 0; w < workers; ++w) round->run(w, name);
  join_spin(round->left);
  round->wg.wait();
  std::exception_ptr error = round->error;
  round->release();
  if (error) std::rethrow_exception(error);
}

}  // namespace weft::go::detail
