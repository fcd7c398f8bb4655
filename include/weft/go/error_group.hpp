// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/go/context.hpp"
#include "weft/go/go.hpp"
#include "weft/go/impl/spinlock.hpp"
#include "weft/go/impl/wait.hpp"
#include "weft/go/wait_group.hpp"

namespace weft::go {

// TaskFailure is one exception that escaped a task of an ErrorGroup.
struct TaskFailure {
  std::string task;
  std::exception_ptr error;
};

// TaskError is what ErrorGroup::wait() throws: what() is
// "task '<name>' failed: <original what()>" (plus a count of later
// failures); cause() is the original exception, failures() every failure
// in order, the first one first.
class TaskError : public std::runtime_error {
 public:
  TaskError(const std::string& message, std::vector<TaskFailure> failures)
      : std::runtime_error(message), failures_(std::move(failures)) {}
  const std::string& task_name() const noexcept { return failures_.front().task; }
  std::exception_ptr cause() const noexcept { return failures_.front().error; }
  const std::vector<TaskFailure>& failures() const noexcept { return failures_; }

 private:
  std::vector<TaskFailure> failures_;
};

namespace detail {
struct ErrorGroupState {
  WaitGroup wg;
  Context ctx;
  Spinlock mu;
  std::vector<TaskFailure> failures;
  bool observed = false;
  explicit ErrorGroupState(Context c) : ctx(std::move(c)) {}
  void fail(std::string_view task, std::exception_ptr e);
};
}  // namespace detail

// ErrorGroup runs tasks that share a Context and fail together, as Go's
// errgroup.WithContext: the first exception thrown by any of its tasks
// cancels context(), and wait() rethrows it as TaskError naming the task.
// Later failures are kept too (TaskError::failures()); nothing is dropped.
// The destructor waits for the tasks (if wait() was not called).
//
//   weft::go::ErrorGroup g;
//   for (int r = 0; r < 4; ++r) {
//     g.go({.name = "reader"}, [&, r](const weft::go::Context& ctx) {
//       while (!ctx.cancelled()) read_block(r);
//     });
//   }
//   g.wait();   // throws TaskError("task 'reader' failed: ...")
class ErrorGroup {
 public:
  // ErrorGroup() derives its context from parent (default: a new root).
  explicit ErrorGroup(const Context& parent = Context())
      : s_(std::make_shared<detail::ErrorGroupState>(parent.with_cancel())) {}
  ~ErrorGroup();
  ErrorGroup(const ErrorGroup&) = delete;
  ErrorGroup& operator=(const ErrorGroup&) = delete;

  // context() is cancelled on the first failure (or by its parent).
  const Context& context() const noexcept { return s_->ctx; }

  // go() starts f as a task of the group; f takes no argument or the
  // group's `const Context&`.
  template <class F>
  void go(const TaskOptions& options, F&& f) {
    s_->wg.add(1);
    try {
      weft::go::go(options, [s = s_, f = std::forward<F>(f)]() mutable {
        struct Done {
          detail::ErrorGroupState* s;
          ~Done() { s->wg.done(); }
        } done{s.get()};
        try {
          if constexpr (std::is_invocable_v<F&, const Context&>) {
            f(s->ctx);
          } else {
            f();
          }
        } catch (const detail::ForcedUnwind&) {
          throw;
        } catch (...) {
          s->fail(task_name(), std::current_exception());
        }
      });
    } catch (...) {
      s_->wg.done();
      throw;
    }
  }
  template <class F>
  void go(F&& f) {
    go(TaskOptions{"errgroup task", 0}, std::forward<F>(f));
  }

  // wait() parks until every task of the group finished, then throws
  // TaskError if any failed (every call throws it again).
  void wait();

 private:
  std::shared_ptr<detail::ErrorGroupState> s_;
};

}  // namespace weft::go
