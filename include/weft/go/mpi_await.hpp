// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mpi.h>

#include <optional>
#include <span>
#include <type_traits>
#include <utility>

namespace weft::go {

// MPI inside a pool: who may call MPI, and how.
//
// weft initializes MPI with MPI_THREAD_SERIALIZED (weft::mpi::Session, the
// one place that chooses the thread level): several threads may make MPI
// calls, one at a time. What a pool needs depends on its MpiProgress.
//
// With MpiProgress::agent (the default) only the thread that calls
// Pool::run() makes MPI calls, which MPI_THREAD_FUNNELED would allow. While
// run() executes, that thread is the pool's MPI thread (the "progress
// agent"): it executes closures funnelled to it by mpi_call() and tests the
// requests registered by await()/await_all() in batches with MPI_Testsome,
// waking each owner when its requests complete. Tasks (which run on worker
// threads) therefore never call MPI directly:
//
//   MPI_Request reqs[2];
//   weft::go::mpi_call([&] {
//     reqs[0] = weft::mpi::irecv(in.data(), n, left, 0, comm);
//     reqs[1] = weft::mpi::isend(out.data(), n, right, 0, comm);
//   });
//   compute_interior();                // overlaps with the transfer
//   weft::go::await_all(reqs);         // parks this task, not the worker
//
// With PoolOptions::mpi_progress = MpiProgress::polling there is no agent:
// mpi_call() runs f on the calling worker under the pool's MPI lock and
// await() tests its requests under that lock between yields, so requests
// progress whenever the task gets a turn. This needs MPI_THREAD_SERIALIZED
// (calls come from several threads, one at a time) and that nothing else in
// the process calls MPI while tasks do. The MD engine uses it.
//
// Why not MULTIPLE: one agent, or one task at a time under the lock, needs
// no more; the agent batches tests; and Open MPI 4.1's MPI_THREAD_MULTIPLE
// has caveats (MPI-IO is not thread-safe under it, some transports
// serialize with a global lock). See docs/runtime.md.

namespace detail {
void mpi_call_impl(void (*fn)(void*), void* arg);
}

// await() parks the calling task until request completes, then sets it to
// MPI_REQUEST_NULL and fills *status (unless MPI_STATUS_IGNORE). Outside a
// task it is MPI_Wait. A null request returns at once.
void await(MPI_Request& request, MPI_Status* status = MPI_STATUS_IGNORE);

// await_all() parks the calling task until every request completed (each
// set to MPI_REQUEST_NULL); statuses, if not empty, has one entry per
// request. Outside a task it is MPI_Waitall.
void await_all(std::span<MPI_Request> requests, std::span<MPI_Status> statuses = {});

// mpi_call() runs f() on the pool's MPI thread, parking the calling task
// meanwhile, and returns f's result; an exception from f is rethrown here.
// Outside a task it calls f() directly (the caller is then responsible for
// being the MPI thread). Keep f short and non-blocking (post requests,
// probe, query): a blocking MPI call there stalls progress for every task.
template <class F>
auto mpi_call(F&& f) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    detail::mpi_call_impl([](void* p) { (*static_cast<std::remove_reference_t<F>*>(p))(); },
                          const_cast<void*>(static_cast<const void*>(std::addressof(f))));
  } else {
    std::optional<R> result;
    auto call = [&] { result.emplace(f()); };
    detail::mpi_call_impl([](void* p) { (*static_cast<decltype(call)*>(p))(); }, &call);
    return std::move(*result);
  }
}

}  // namespace weft::go
