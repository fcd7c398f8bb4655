// SPDX-License-Identifier: Apache-2.0
#include "weft/go/parallel_for.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>

#include "scheduler.hpp"
#include "weft/core/error.hpp"
#include "weft/go/go.hpp"
#include "weft/go/wait_group.hpp"

namespace weft::go {

namespace detail {

namespace {

struct ForState {
  std::int64_t begin, end, grain, nchunks;
  ChunkFn fn;
  void* f;
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  Spinlock mu;
  std::exception_ptr error;
  WaitGroup wg;

  void work() noexcept {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::int64_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= nchunks) return;
      const std::int64_t lo = begin + c * grain;
      const std::int64_t hi = std::min(end, lo + grain);
      try {
        fn(f, lo, hi);
      } catch (...) {
        std::lock_guard lk(mu);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  }
};

}  // namespace

void parallel_chunks(std::int64_t begin, std::int64_t end, std::int64_t grain, ChunkFn fn, void* f,
                     Scheduler s) {
  if (end <= begin) return;
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t nchunks = (end - begin + grain - 1) / grain;
  if (s == Scheduler::openmp) {
    std::exception_ptr error;
    std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < nchunks; ++c) {
      if (failed.load(std::memory_order_relaxed)) continue;
      const std::int64_t lo = begin + c * grain;
      try {
        fn(f, lo, std::min(end, lo + grain));
      } catch (...) {
#pragma omp critical(weft_go_parallel_for)
        {
          if (!error) error = std::current_exception();
        }
        failed.store(true, std::memory_order_relaxed);
      }
    }
    if (error) std::rethrow_exception(error);
    return;
  }
  Task* self = current_task();
  if (!self || nchunks == 1) {
    for (std::int64_t c = 0; c < nchunks; ++c) {
      const std::int64_t lo = begin + c * grain;
      fn(f, lo, std::min(end, lo + grain));
    }
    return;
  }
  ForState st;
  st.begin = begin;
  st.end = end;
  st.grain = grain;
  st.nchunks = nchunks;
  st.fn = fn;
  st.f = f;
  const std::int64_t helpers = std::min<std::int64_t>(self->pool->n, nchunks) - 1;
  st.wg.add(helpers);
  for (std::int64_t h = 0; h < helpers; ++h) {
    go(TaskOptions{"parallel_for", 0}, [&st] {
      st.work();
      st.wg.done();
    });
  }
  st.work();
  st.wg.wait();
  if (st.error) std::rethrow_exception(st.error);
}

}  // namespace detail

}  // namespace weft::go
