// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace weft::go {

// TaskOptions names a task and sizes its stack. name appears in deadlock
// reports, error messages and the trace (truncated to 47 bytes).
// stack_size 0 means the pool's PoolOptions::stack_size.
// worker, when >= 0, is the worker (index modulo the pool's workers) the
// task should run on: it is queued for that worker, which runs it when it
// next looks for work; another worker takes it only after running dry for a
// moment. The block loops use it so that a kernel share runs on the same
// worker every step (its data stays in that core's caches).
struct TaskOptions {
  std::string_view name = "task";
  std::size_t stack_size = 0;
  int worker = -1;
};

namespace detail {
struct ClosureOps {
  std::size_t size;
  std::size_t align;
  void (*invoke)(void*);
  void (*destroy)(void*) noexcept;
};
template <class Fn>
inline constexpr ClosureOps closure_ops{sizeof(Fn), alignof(Fn),
                                        [](void* p) { (*static_cast<Fn*>(p))(); },
                                        [](void* p) noexcept { static_cast<Fn*>(p)->~Fn(); }};

// spawn() allocates a task (stack, descriptor and closure in one block),
// lets construct() move the closure into place and queues the task.
void spawn(const TaskOptions& options, const ClosureOps& ops,
           void (*construct)(void* dst, void* src), void* src);
}  // namespace detail

// go() starts f() as a new task on the current pool and returns at once,
// like Go's `go f()`. f is moved into the task. Must be called from a task
// (std::logic_error otherwise). An exception escaping f() of a task that is
// not the pool's root is reported with the task's name on stderr and
// terminates the process; use ErrorGroup to collect failures instead.
//
//   weft::go::go({.name = "reader", .stack_size = 256 * 1024}, [&] { read(); });
template <class F>
void go(const TaskOptions& options, F&& f) {
  using Fn = std::decay_t<F>;
  static_assert(std::is_invocable_v<Fn&>, "go(f): f must be callable without arguments");
  detail::spawn(
      options, detail::closure_ops<Fn>,
      [](void* dst, void* src) {
        ::new (dst) Fn(std::forward<F>(*static_cast<std::remove_reference_t<F>*>(src)));
      },
      const_cast<void*>(static_cast<const void*>(std::addressof(f))));
}
template <class F>
void go(F&& f) {
  go(TaskOptions{}, std::forward<F>(f));
}

// yield() lets other runnable tasks of this worker run first.
void yield();

// sleep_for() / sleep_until() park the current task for a while.
void sleep_for(std::chrono::nanoseconds d);
void sleep_until(std::chrono::steady_clock::time_point t);

// in_task() tells whether the caller runs as a weft::go task.
bool in_task() noexcept;

// task_name() returns the current task's name ("" outside a task).
std::string_view task_name() noexcept;

// worker_index() returns the index of the worker thread running the caller
// (0..threads-1), or -1 outside a pool's workers.
int worker_index() noexcept;

// worker_count() returns the current pool's number of workers (0 outside).
int worker_count() noexcept;

}  // namespace weft::go
