// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "weft/go/go.hpp"
#include "weft/go/wait_group.hpp"

// Deterministic block loops: the one place where an application's kernels
// are threaded. Kernels are written as loops over independent blocks;
// these functions decide how the blocks run. Blocks are assigned to workers
// statically and contiguously, so a run with a given thread count is
// bit-identical from run to run (e.g. per-worker force buffers reduced in
// worker order) and the same under both schedulers: called from a weft::go
// task (Scheduler::fibers, inside Executor::run()), each worker's share of
// blocks is one fiber task named `name[w]` and the caller parks until they
// finish; otherwise (Scheduler::openmp) an OpenMP team runs them.
//
//   weft::go::parallel_blocks(threads, nblocks, [&](std::int64_t b, int w) {
//     compute_block(b, buffer[w]);  // w: the worker, 0 <= w < threads
//   }, "force");
namespace weft::go {

namespace detail {
using ShareFn = void (*)(void* arg, int w);
// run_shares() is fiber_shares() without the template (src/go/shares.cpp).
void run_shares(int workers, const char* name, ShareFn fn, void* arg);
}  // namespace detail

// fiber_shares() runs fn(w) for w in [0, workers) and returns when all are
// done. Call it from a task. The caller runs the share of the worker it is
// on itself; every other share w is a weft::go task named name[w] posted to
// worker w (TaskOptions::worker), so a share runs on the same worker every
// time unless that worker is busy when another runs dry. The caller then
// waits for the others, spinning while its worker has nothing else to run
// (at most the pool's idle spin, which its worker would spend spinning
// anyway) and parking after that. An exception from the caller's own share
// is rethrown once every share has finished.
template <class F>
void fiber_shares(int workers, const char* name, F&& fn) {
  using Fn = std::remove_reference_t<F>;
  detail::run_shares(
      workers, name, [](void* f, int w) { (*static_cast<Fn*>(f))(w); },
      const_cast<void*>(static_cast<const void*>(std::addressof(fn))));
}

// parallel_blocks() runs fn(b, w) for every block b in [0, nblocks), worker
// w taking the contiguous range [nblocks w / threads, nblocks (w+1) / threads).
template <class F>
void parallel_blocks(int threads, std::int64_t nblocks, F&& fn, const char* name = "blocks") {
  if (threads <= 1 || nblocks <= 1) {
    for (std::int64_t b = 0; b < nblocks; ++b) fn(b, 0);
    return;
  }
  if (in_task()) {
    fiber_shares(threads, name, [&](int w) {
      const std::int64_t begin = nblocks * w / threads, end = nblocks * (w + 1) / threads;
      for (std::int64_t b = begin; b < end; ++b) fn(b, w);
    });
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    const std::int64_t begin = nblocks * t / nt;
    const std::int64_t end = nblocks * (t + 1) / nt;
    for (std::int64_t b = begin; b < end; ++b) fn(b, t);
  }
}

// parallel_dynamic() runs fn(b, w) for every block b in [0, nblocks), each
// block taken in increasing order by whichever worker is free next (w: the
// worker running it, for per-worker scratch; each w runs on one thread at a
// time). Which worker runs a block varies from run to run, so use it only
// where a block's result does not depend on w and per-worker sums do not
// depend on their order (integer counts): it balances blocks of uneven
// cost, and a worker that starts late (descheduled, woken late) takes
// fewer, which parallel_blocks()'s fixed shares cannot do.
//
//   weft::go::parallel_dynamic(threads, ngroups, [&](std::int64_t g, int w) {
//     walk_group(g, scratch[w]);  // results per group, whoever walks it
//   }, "walk");
template <class F>
void parallel_dynamic(int threads, std::int64_t nblocks, F&& fn, const char* name = "dynamic") {
  if (threads <= 1 || nblocks <= 1) {
    for (std::int64_t b = 0; b < nblocks; ++b) fn(b, 0);
    return;
  }
  std::atomic<std::int64_t> next{0};
  auto share = [&](int w) {
    for (std::int64_t b = next.fetch_add(1, std::memory_order_relaxed); b < nblocks;
         b = next.fetch_add(1, std::memory_order_relaxed)) {
      fn(b, w);
    }
  };
  if (in_task()) {
    fiber_shares(threads, name, share);
    return;
  }
#pragma omp parallel num_threads(threads)
  share(omp_get_thread_num());
}

// parallel_schedule() runs fn(b, w) for the blocks b of schedule[w] in
// order, one worker per entry of schedule (a NeighborList schedule).
template <class F>
void parallel_schedule(const std::vector<std::vector<int>>& schedule, F&& fn,
                       const char* name = "blocks") {
  const int workers = static_cast<int>(schedule.size());
  auto share = [&](int w) {
    for (const int b : schedule[static_cast<std::size_t>(w)]) fn(static_cast<std::int64_t>(b), w);
  };
  if (workers <= 1) {
    if (workers == 1) share(0);
    return;
  }
  if (in_task()) {
    fiber_shares(workers, name, share);
    return;
  }
#pragma omp parallel num_threads(workers)
  {
    // fewer threads than asked (OMP_DYNAMIC) still run every share
    for (int w = omp_get_thread_num(); w < workers; w += omp_get_num_threads()) share(w);
  }
}

// parallel_range() splits [0, n) into one contiguous chunk per worker. It is
// meant for cheap streaming loops (integration, packing), which only pay for
// waking threads on large ranges; below kMinParallelRange it runs serially.
inline constexpr std::int64_t kMinParallelRange = 32768;
template <class F>
void parallel_range(int threads, std::int64_t n, F&& fn, const char* name = "range") {
  if (threads <= 1 || n < kMinParallelRange) {
    fn(std::int64_t{0}, n, 0);
    return;
  }
  if (in_task()) {
    fiber_shares(threads, name, [&](int w) { fn(n * w / threads, n * (w + 1) / threads, w); });
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    fn(n * t / nt, n * (t + 1) / nt, t);
  }
}

}  // namespace weft::go
