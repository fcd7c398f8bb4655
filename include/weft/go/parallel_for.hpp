// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/go/executor.hpp"

namespace weft::go {

namespace detail {
using ChunkFn = void (*)(void* f, std::int64_t lo, std::int64_t hi);
void parallel_chunks(std::int64_t begin, std::int64_t end, std::int64_t grain, ChunkFn fn, void* f,
                     Scheduler s);
}  // namespace detail

// parallel_for_chunks() splits [begin, end) into chunks of `grain` indices
// (the last one shorter) and calls f(lo, hi) once per chunk, in parallel,
// returning when all are done. Scheduler::fibers hands chunks to one helper
// task per worker (the caller works too) and parks the caller until they
// finish: it must run in a task, otherwise it runs serially on the caller.
// Scheduler::openmp uses `omp parallel for schedule(dynamic)` on the
// calling thread's OpenMP team (it blocks the worker while it runs). The
// first exception thrown by f stops handing out chunks and is rethrown.
// No allocation per index or chunk.
template <class F>
void parallel_for_chunks(std::int64_t begin, std::int64_t end, std::int64_t grain, F&& f,
                         Scheduler s = Scheduler::fibers) {
  using Fn = std::remove_reference_t<F>;
  detail::parallel_chunks(
      begin, end, grain,
      [](void* p, std::int64_t lo, std::int64_t hi) { (*static_cast<Fn*>(p))(lo, hi); },
      const_cast<void*>(static_cast<const void*>(std::addressof(f))), s);
}

// parallel_for() calls f(i) for every i in [begin, end), in chunks of grain.
//
//   weft::go::parallel_for(0, n, 1024, [&](std::int64_t i) { f[i] = force(i); },
//                          weft::go::parse_scheduler(deck.runtime.scheduler));
template <class F>
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain, F&& f,
                  Scheduler s = Scheduler::fibers) {
  auto chunk = [&f](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i) f(i);
  };
  parallel_for_chunks(begin, end, grain, chunk, s);
}

}  // namespace weft::go
