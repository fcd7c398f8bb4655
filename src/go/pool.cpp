// SPDX-License-Identifier: Apache-2.0
// Pool's public face, run(), go(), yield() and sleeping.
#include "weft/go/pool.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "scheduler.hpp"
#include "weft/go/go.hpp"

namespace weft::go {

namespace detail {

void PoolImpl::run(std::function<void()> root) {
  Worker* w = current_worker();
  if (w) throw std::logic_error("weft::go::Pool::run() must not be called from a worker thread");
  if (running.exchange(true)) throw std::logic_error("weft::go::Pool::run() is already running");
  {
    std::lock_guard lk(agent_mu);
    run_done = false;
  }
  root_error = nullptr;
  deadlocked = false;
  root_finished.store(false, std::memory_order_relaxed);
  report.clear();
  Task* t = nullptr;
  try {
    t = create_task(
        nullptr, nullptr, TaskOptions{"main", opt.root_stack_size},
        closure_ops<std::function<void()>>,
        [](void* dst, void* src) {
          ::new (dst) std::function<void()>(std::move(*static_cast<std::function<void()>*>(src)));
        },
        &root);
  } catch (...) {
    running.store(false);
    throw;
  }
  t->root = true;
  inject(t);
  // A worker that went idle between `running` and here decided nothing (it
  // may even have run the whole root already): wake one to look again.
  root_injected.store(true, std::memory_order_seq_cst);
  wake_one();
  agent_loop();
  {
    // Under idle_mu: a worker still inside check_quiescent() for this run
    // must not decide anything for the next one.
    std::lock_guard lk(idle_mu);
    root_injected.store(false, std::memory_order_seq_cst);
  }
  running.store(false, std::memory_order_release);
  if (root_error) std::rethrow_exception(std::exchange(root_error, nullptr));
  if (deadlocked) throw DeadlockError(report);
}

void spawn(const TaskOptions& options, const ClosureOps& ops, void (*construct)(void*, void*),
           void* src) {
  Task* parent = require_task("go()");
  Worker* w = current_worker();
  PoolImpl* pool = parent->pool;
  Task* t = pool->create_task(w, parent, options, ops, construct, src);
  if (options.worker >= 0) {
    // Also when v is this worker: its mail, unlike its queue, is not open
    // to thieves until they have run dry for mail_patience.
    Worker* v = pool->workers[static_cast<std::size_t>(options.worker % pool->n)].get();
    pool->post(t, v);
    return;
  }
  w->queue.push_back(t);
  pool->wake_if_needed();
}

}  // namespace detail

Pool::Pool(PoolOptions options) : impl_(std::make_unique<detail::PoolImpl>(options)) {}
Pool::~Pool() = default;

void Pool::run(std::function<void()> root) { impl_->run(std::move(root)); }

int Pool::threads() const noexcept { return impl_->n; }

std::vector<TaskRecord> Pool::trace() const {
  std::vector<TaskRecord> all;
  for (const auto& w : impl_->workers) all.insert(all.end(), w->trace.begin(), w->trace.end());
  std::sort(all.begin(), all.end(), [](const TaskRecord& a, const TaskRecord& b) {
    return a.start_ns != b.start_ns ? a.start_ns < b.start_ns : a.id < b.id;
  });
  return all;
}

void Pool::clear_trace() {
  for (auto& w : impl_->workers) {
    w->trace.clear();
    w->trace.shrink_to_fit();
  }
}

void yield() {
  if (detail::current_task()) {
    detail::switch_out(detail::Action::yield);
  } else {
    std::this_thread::yield();
  }
}

void sleep_until(std::chrono::steady_clock::time_point t) {
  detail::Task* self = detail::current_task();
  if (!self) {
    std::this_thread::sleep_until(t);
    return;
  }
  if (t <= detail::Clock::now()) {
    yield();
    return;
  }
  detail::WaitSync sync;
  sync.task = self;
  detail::TimerNode node;
  node.when = t;
  node.fire = &detail::wake_on_timeout;
  node.arg = &sync;
  detail::add_timer(node);
  detail::park(sync, "sleep", nullptr, nullptr);
  detail::cancel_timer(node);
  if (sync.winner == detail::kUnwind) detail::throw_unwind();
}

void sleep_for(std::chrono::nanoseconds d) { sleep_until(detail::Clock::now() + d); }

bool in_task() noexcept { return detail::current_task() != nullptr; }

std::string_view task_name() noexcept {
  detail::Task* t = detail::current_task();
  return t ? std::string_view(t->name) : std::string_view();
}

int worker_index() noexcept {
  detail::Worker* w = detail::current_worker();
  return w ? w->index : -1;
}

int worker_count() noexcept {
  detail::Worker* w = detail::current_worker();
  return w ? w->pool->n : 0;
}

}  // namespace weft::go
