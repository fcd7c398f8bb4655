// SPDX-License-Identifier: Apache-2.0
// The progress agent: the run() caller thread executes funnelled MPI calls
// and tests outstanding requests with MPI_Testsome. The runtime's own
// request polling is the one place outside weft::mpi that calls MPI
// directly; every call is checked with mpi::check().
#include "weft/go/mpi_await.hpp"

#include <sched.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "scheduler.hpp"
#include "weft/go/go.hpp"
#include "weft/mpi/error.hpp"
#include "weft/mpi/session.hpp"

namespace weft::go {

namespace detail {

namespace {

void finish_group(AwaitGroup* g, PoolImpl& pool) {
  if (--g->remaining > 0) return;
  WaitSync* s = g->sync;
  if (s->claim()) {
    s->winner = 0;
    ready(s->task);
  }
  pool.mpi_pending.fetch_sub(1, std::memory_order_seq_cst);
}

void require_mpi() {
  if (!mpi::initialized() || mpi::finalized())
    throw std::logic_error("weft::go::await(): MPI is not initialized");
}

// fatal() ends the job when a request the agent tests failed: the agent
// has no task to throw to (MPI_ERRORS_ARE_FATAL would have ended it too).
[[noreturn]] void fatal(int code, const char* call) {
  std::fprintf(stderr, "weft::go: %s\n", mpi::Error(call, code).what());
  mpi::abort(1);
}

}  // namespace

void PoolImpl::agent_loop() {
  std::vector<MPI_Request> reqs;
  std::vector<MpiAwait> owners;
  std::vector<int> idx;
  std::vector<MPI_Status> st;
  std::vector<MpiCall*> calls;
  std::vector<MpiAwait> fresh;
  int idle_polls = 0;
  for (;;) {
    bool done = false;
    {
      std::unique_lock lk(agent_mu);
      auto has_input = [&] { return run_done || !calls_in.empty() || !awaits_in.empty(); };
      if (reqs.empty()) {
        agent_cv.wait(lk, has_input);
      } else if (idle_polls >= opt.mpi_spin_polls && !has_input()) {
        // between polls the agent sleeps (woken early by new calls and requests)
        agent_cv.wait_for(lk, opt.mpi_poll_interval, has_input);
      }
      calls.swap(calls_in);
      fresh.swap(awaits_in);
      done = run_done;
    }
    for (MpiCall* c : calls) {
      try {
        c->fn(c->arg);
      } catch (...) {
        c->error = std::current_exception();
      }
      WaitSync* s = c->sync;
      if (s->claim()) {
        s->winner = 0;
        ready(s->task);
      }
      mpi_pending.fetch_sub(1, std::memory_order_seq_cst);
    }
    calls.clear();
    for (const MpiAwait& a : fresh) {
      reqs.push_back(*static_cast<MPI_Request*>(a.request));
      owners.push_back(a);
    }
    fresh.clear();
    if (!reqs.empty()) {
      idx.resize(reqs.size());
      st.resize(reqs.size());
      int outcount = 0;
      const int rc = MPI_Testsome(static_cast<int>(reqs.size()), reqs.data(), &outcount, idx.data(),
                                  st.data());
      if (rc != MPI_SUCCESS) fatal(rc, "MPI_Testsome");
      if (outcount == MPI_UNDEFINED) outcount = 0;
      for (int k = 0; k < outcount; ++k) {
        MpiAwait& o = owners[static_cast<std::size_t>(idx[static_cast<std::size_t>(k)])];
        *static_cast<MPI_Request*>(o.request) = MPI_REQUEST_NULL;
        if (o.status) *static_cast<MPI_Status*>(o.status) = st[static_cast<std::size_t>(k)];
        finish_group(o.group, *this);
      }
      if (outcount > 0) {
        std::size_t j = 0;
        for (std::size_t i = 0; i < reqs.size(); ++i) {
          if (reqs[i] != MPI_REQUEST_NULL) {
            reqs[j] = reqs[i];
            owners[j] = owners[i];
            ++j;
          }
        }
        reqs.resize(j);
        owners.resize(j);
        idle_polls = 0;
      } else if (++idle_polls <= opt.mpi_spin_polls) {
        sched_yield();
      }
    }
    if (done && reqs.empty()) break;
  }
}

void mpi_call_impl(void (*fn)(void*), void* arg) {
  Task* self = current_task();
  if (!self) {
    fn(arg);
    return;
  }
  if (self->unwinding) throw_unwind();
  PoolImpl* pool = self->pool;
  if (pool->opt.mpi_progress == MpiProgress::polling) {
    std::lock_guard lk(pool->mpi_mu);
    fn(arg);
    return;
  }
  WaitSync sync;
  sync.task = self;
  MpiCall call;
  call.fn = fn;
  call.arg = arg;
  call.sync = &sync;
  pool->mpi_pending.fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard lk(pool->agent_mu);
    pool->calls_in.push_back(&call);
  }
  pool->agent_cv.notify_one();
  park(sync, "mpi_call", nullptr, nullptr);
  if (call.error) std::rethrow_exception(call.error);
}

}  // namespace detail

void await_all(std::span<MPI_Request> requests, std::span<MPI_Status> statuses) {
  if (!statuses.empty() && statuses.size() != requests.size()) {
    throw std::invalid_argument("weft::go::await_all(): statuses must be empty or match requests");
  }
  detail::Task* self = detail::current_task();
  if (!self) {
    mpi::check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(),
                           statuses.empty() ? MPI_STATUSES_IGNORE : statuses.data()),
               "MPI_Waitall");
    return;
  }
  detail::require_mpi();
  if (self->unwinding) detail::throw_unwind();
  detail::PoolImpl* owner = self->pool;
  if (owner->opt.mpi_progress == MpiProgress::polling) {
    // Between tests the task yields to the rank's other tasks. When the rank
    // has nothing else to run and the wait has lasted kPollSpin, the worker
    // sleeps kPollNap between tests: on a shared node the core goes to the
    // process that has to send (another rank, a neighbour's job) instead of
    // being burnt by the wait, as MPI_Wait's busy poll does.
    using Clock = std::chrono::steady_clock;
    constexpr auto kPollSpin = std::chrono::microseconds(200);
    constexpr auto kPollNap = std::chrono::microseconds(20);
    Clock::time_point since{};
    for (int polls = 0;; ++polls) {
      int flag = 0;
      {
        std::lock_guard lk(owner->mpi_mu);
        mpi::check(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &flag,
                               statuses.empty() ? MPI_STATUSES_IGNORE : statuses.data()),
                   "MPI_Testall");
      }
      if (flag) return;
      if (polls % 16 == 15 && !owner->has_work_peek()) {
        const auto now = Clock::now();
        if (since == Clock::time_point{}) since = now;
        if (now - since >= kPollSpin) std::this_thread::sleep_for(kPollNap);
      }
      yield();
      if (self->unwinding) detail::throw_unwind();
    }
  }
  detail::WaitSync sync;
  sync.task = self;
  detail::AwaitGroup group;
  group.sync = &sync;
  std::vector<detail::MpiAwait> entries;
  entries.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i] == MPI_REQUEST_NULL) continue;
    entries.push_back({&requests[i], statuses.empty() ? nullptr : &statuses[i], &group});
  }
  if (entries.empty()) return;
  group.remaining = static_cast<int>(entries.size());
  detail::PoolImpl* pool = self->pool;
  pool->mpi_pending.fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard lk(pool->agent_mu);
    pool->awaits_in.insert(pool->awaits_in.end(), entries.begin(), entries.end());
  }
  pool->agent_cv.notify_one();
  detail::park(sync, "await", requests.data(), "MPI request");
}

void await(MPI_Request& request, MPI_Status* status) {
  if (!detail::current_task()) {
    mpi::check(MPI_Wait(&request, status), "MPI_Wait");
    return;
  }
  MPI_Status* st = status == MPI_STATUS_IGNORE ? nullptr : status;
  if (st) {
    await_all(std::span<MPI_Request>(&request, 1), std::span<MPI_Status>(st, 1));
  } else {
    await_all(std::span<MPI_Request>(&request, 1));
  }
}

}  // namespace weft::go
