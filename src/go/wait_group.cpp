// SPDX-License-Identifier: Apache-2.0
#include "weft/go/wait_group.hpp"

#include <mutex>
#include <stdexcept>

#include "scheduler.hpp"

namespace weft::go {

void WaitGroup::add(std::int64_t n) {
  detail::Waiter* woken = nullptr;
  {
    std::lock_guard lk(mu_);
    if (n_ + n < 0) throw std::logic_error("weft::go::WaitGroup: negative counter");
    n_ += n;
    if (n_ == 0) {
      while (detail::Waiter* w = waiters_.dequeue()) {
        w->sync->winner = 0;
        w->next = woken;
        woken = w;
      }
    }
  }
  while (woken) {
    detail::Waiter* next = woken->next;
    detail::ready(woken->sync->task);
    woken = next;
  }
}

void WaitGroup::wait() {
  mu_.lock();
  if (n_ == 0) {
    mu_.unlock();
    return;
  }
  detail::Task* self = detail::current_task();
  if (!self) {
    mu_.unlock();
    detail::require_task("WaitGroup::wait");
  }
  detail::WaitSync sync;
  sync.task = self;
  detail::Waiter w;
  w.sync = &sync;
  waiters_.push_back(&w);
  mu_.unlock();
  detail::park(sync, "WaitGroup::wait", this, nullptr);
  if (sync.winner == detail::kUnwind) {
    mu_.lock();
    waiters_.remove(&w);
    mu_.unlock();
    detail::throw_unwind();
  }
}

std::int64_t WaitGroup::count() const noexcept {
  std::lock_guard lk(mu_);
  return n_;
}

}  // namespace weft::go
