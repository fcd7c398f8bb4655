// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

#include "weft/go/chan.hpp"
#include "weft/go/impl/spinlock.hpp"
#include "weft/go/impl/wait.hpp"

namespace weft::go {

// CancelReason says why a Context ended.
enum class CancelReason { none, cancelled, deadline_exceeded };

// Cancelled is thrown by Context::check() once the context ended.
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
struct ContextState;
}

// Context carries cancellation and a deadline down a tree of tasks, as Go's
// context.Context. A Context is a cheap handle (shared state); copies refer
// to the same context. Cancelling a context cancels all its descendants,
// never its parent. Tasks notice cancellation by polling cancelled() /
// check() or by selecting on done().
//
//   weft::go::Context root;
//   auto ctx = root.with_timeout(std::chrono::seconds(5));
//   weft::go::go([ctx] {
//     while (!ctx.cancelled()) step();
//   });
//   weft::go::select(weft::go::on_recv(results), weft::go::on_recv(ctx.done()));
class Context {
 public:
  // Context() makes a new root context (cancellable, no deadline).
  Context();

  // with_cancel() returns a child that ends when this one ends or when it is
  // cancelled itself.
  Context with_cancel() const;
  // with_deadline()/with_timeout() return a child that also ends at the
  // deadline (CancelReason::deadline_exceeded). The timer runs on the
  // current pool; outside a task the deadline is only noticed by polling
  // (cancelled(), check(), reason()), not by done().
  Context with_deadline(std::chrono::steady_clock::time_point deadline) const;
  template <class Rep, class Period>
  Context with_timeout(std::chrono::duration<Rep, Period> d) const {
    return with_deadline(std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(d));
  }

  // cancel() ends this context and its descendants (idempotent).
  void cancel() const;
  // cancelled() tells whether the context ended.
  bool cancelled() const noexcept { return reason() != CancelReason::none; }
  // reason() says why it ended (none while it runs).
  CancelReason reason() const noexcept;
  // check() throws Cancelled if the context ended.
  void check() const;
  // deadline() is the effective deadline (time_point::max() if none).
  std::chrono::steady_clock::time_point deadline() const noexcept;
  // done() is a channel that is closed when the context ends; receive from
  // it (or select on it) to wait for cancellation.
  Chan<std::monostate>& done() const noexcept;

 private:
  explicit Context(std::shared_ptr<detail::ContextState> s) : s_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> s_;
};

namespace detail {
struct ContextState {
  ContextState() = default;
  ~ContextState();
  void cancel(CancelReason why) noexcept;
  std::atomic<int> reason{0};
  Chan<std::monostate> done{0, "Context::done"};
  Spinlock mu;
  std::vector<std::weak_ptr<ContextState>> children;
  std::shared_ptr<ContextState> parent;
  TimePoint deadline = TimePoint::max();
  TimerNode timer;
  bool timer_armed = false;
};
}  // namespace detail

}  // namespace weft::go
