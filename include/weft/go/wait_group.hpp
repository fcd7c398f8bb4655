// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "weft/go/impl/spinlock.hpp"
#include "weft/go/impl/wait.hpp"

namespace weft::go {

// WaitGroup waits for a collection of tasks to finish, as Go's
// sync.WaitGroup: add() before starting each task, done() at its end,
// wait() to block until the counter is back to zero.
//
//   weft::go::WaitGroup wg;
//   for (int i = 0; i < 8; ++i) {
//     wg.add();
//     weft::go::go([&, i] { work(i); wg.done(); });
//   }
//   wg.wait();
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // add() adds n (may be negative) to the counter; reaching zero wakes every
  // waiter. A negative counter throws std::logic_error.
  void add(std::int64_t n = 1);
  // done() is add(-1).
  void done() { add(-1); }
  // wait() parks the calling task until the counter is zero.
  void wait();
  // count() is the current counter (a snapshot).
  std::int64_t count() const noexcept;

 private:
  mutable detail::Spinlock mu_;
  std::int64_t n_ = 0;
  detail::WaitQueue waiters_;
};

}  // namespace weft::go
